"""Customers coming back: redials after abandoning, repeats after being answered, and FCR.

With a ``customer`` column, a contact's **return** is the same customer's next contact, on any
channel, set-aside rows included (a caller who met a closed line did come back). It is a
*redial* when the contact was abandoned and a *repeat* when it was answered; its delay runs from
the end of the contact (the moment of hanging up, or the end of handling) to the return's
arrival, as in the model. A contact is a **child** (not first-contact volume) when it is a
return that arrives within the window ``W`` (default 7 days).

Whether a customer ever comes back is censored by the end of the log and by the window: the
probability ``p`` and mean delay ``δ`` of a return follow from a mixture ("cure") model with
exponential delays (Maller and Zhou 1996): a return seen after delay ``t ≤ W`` contributes
``p·e^{-t/δ}/δ`` and a contact followed for ``c = min(W, end of log - end)`` without one
contributes ``1 - p(1 - e^{-c/δ})``. Both are maximum-likelihood estimates with intervals
from the observed information, on the logit and log scales.

A log shows whether a customer came back, not whether the agent resolved the contact: the
scenario's ``fcr`` and ``repeat.probability`` cannot be told apart (only ``(1 - fcr)·
probability`` can). They are written as ``fcr = 1 - p`` and ``repeat.probability = 100 %``,
which reproduces the observed returns and the felt FCR. **Felt FCR** itself is reported as in
``sla_eval.fcr``: the share of answered contacts whose window lies inside the log and that saw
no return within it (Wilson interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from calibrate.estimate import Estimate, Z, binomial, log_scale, mle

__all__ = ["DEFAULT_WINDOW_S", "Linkage", "ReturnFit", "fit_returns", "link_customers"]

DEFAULT_WINDOW_S = 7 * 86400.0


@dataclass(frozen=True)
class Linkage:
    """Per row of the log's contacts: the next contact of the same customer (row position, -1
    if none) and whether the row is a child (a return within the window)."""

    next_row: np.ndarray
    is_child: np.ndarray


def link_customers(contacts: pd.DataFrame, window_s: float) -> Linkage:
    """Link each contact to the same customer's next one (contacts sorted by arrival)."""
    n = len(contacts)
    customer = contacts["customer"].to_numpy(np.int64)
    next_row = np.full(n, -1, dtype=np.int64)
    is_child = np.zeros(n, dtype=bool)
    known = np.flatnonzero(customer >= 0)
    if known.size == 0:
        return Linkage(next_row, is_child)
    order = known[np.argsort(customer[known], kind="stable")]  # by customer, then arrival
    same = customer[order[1:]] == customer[order[:-1]]
    parents, children = order[:-1][same], order[1:][same]
    next_row[parents] = children
    arrival = contacts["arrival_s"].to_numpy(np.float64)
    end = contacts["end_s"].to_numpy(np.float64)
    parent_end = np.where(np.isnan(end[parents]), arrival[parents], end[parents])
    is_child[children] = arrival[children] - parent_end <= window_s
    return Linkage(next_row, is_child)


@dataclass(frozen=True)
class ReturnFit:
    """Returns after one channel's abandoned (redial) or answered (repeat) contacts.

    Attributes
    ----------
    probability:
        ``p``, the probability of ever coming back (cure-model MLE).
    delay_mean_s:
        ``δ``, the mean delay of a return.
    within_window:
        Share of contacts with a return within the window (raw, contacts whose window is
        cut by the log's end left out); None when no window lies inside the log.
    without_return:
        The complement, the share with no return within the window (the felt FCR of answered
        contacts), or None.
    to_channel:
        Share of the returns per channel they came back on.
    contacts, returns:
        Contacts at risk and returns seen.
    """

    probability: Estimate
    delay_mean_s: Estimate
    within_window: Estimate | None
    without_return: Estimate | None
    to_channel: dict[str, float]
    contacts: int
    returns: int

    @property
    def channel(self) -> str | None:
        """The channel most returns come back on."""
        return max(self.to_channel, key=self.to_channel.__getitem__) if self.to_channel else None


def _cure_nll(theta: np.ndarray, delays: np.ndarray, follow: np.ndarray) -> float:
    p = special.expit(theta[0])
    delta = math.exp(theta[1])
    seen = delays.size * math.log(p) - delays.size * math.log(delta) - delays.sum() / delta
    unseen = np.log1p(-p * -np.expm1(-follow / delta)).sum()
    return -(seen + unseen)


def fit_returns(
    contacts: pd.DataFrame,
    linkage: Linkage,
    parents: np.ndarray,
    *,
    window_s: float,
    log_end_s: float,
) -> ReturnFit | None:
    """Fit the cure model to the contacts ``parents`` (a boolean mask over the rows, e.g. the
    abandoned contacts of one channel); None when there are none or none came back."""
    rows = np.flatnonzero(parents)
    if rows.size == 0:
        return None
    arrival = contacts["arrival_s"].to_numpy(np.float64)
    end = contacts["end_s"].to_numpy(np.float64)[rows]
    child = linkage.next_row[rows]
    delay = np.where(child >= 0, arrival[np.maximum(child, 0)] - end, np.inf)
    delay = np.maximum(delay, 0.0)  # a return overlapping its parent counts as immediate
    follow = np.minimum(window_s, log_end_s - end)
    came_back = delay <= follow
    if not came_back.any():
        return None
    delays, unseen = delay[came_back], follow[~came_back]
    p0 = min(max(came_back.mean(), 1e-3), 0.999)
    theta, cov = mle(
        lambda t: _cure_nll(t, delays, unseen), [special.logit(p0), math.log(delays.mean() + 1)]
    )
    n = rows.size
    se_logit = math.sqrt(max(cov[0, 0], 0.0))
    p = float(special.expit(theta[0]))
    probability = Estimate(
        p,
        float(special.expit(theta[0] - Z * se_logit)),
        float(special.expit(theta[0] + Z * se_logit)),
        n,
    )
    delay_mean = log_scale(
        math.exp(theta[1]), math.sqrt(max(cov[1, 1], 0.0)), int(delays.size), "returns"
    )
    full_window = log_end_s - end >= window_s
    judged, returned = int(full_window.sum()), int((came_back & full_window).sum())
    within = binomial(returned, judged) if judged else None
    without = binomial(judged - returned, judged) if judged else None
    channel = contacts["channel"].to_numpy()[linkage.next_row[rows[came_back]]]
    shares = pd.Series(channel).value_counts(normalize=True)
    return ReturnFit(
        probability=probability,
        delay_mean_s=delay_mean,
        within_window=within,
        without_return=without,
        to_channel={str(k): float(v) for k, v in shares.items()},
        contacts=n,
        returns=int(came_back.sum()),
    )
