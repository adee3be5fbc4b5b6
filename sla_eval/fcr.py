"""First-contact resolution as the customer feels it: no repeat contact within a window.

The agent's own verdict (``resolved_first_contact`` in the contact log) is what the simulation
draws; the customer only notices whether they had to come back. A contact's later contacts
are the rows whose ``parent_id`` is its ``contact_id`` (a repeat of an unresolved contact, or a
redial of an abandoned one), on any channel.

For an answered contact ``c`` with end of handling ``e_c`` and window ``W`` (the
``fcr_window`` of the channel that handled it, 7 days by default)::

    repeated_c = (min arrival over the children of c) - e_c <= W
    judged_c   = e_c + W <= horizon_s        (the whole window lies inside the horizon)
    felt FCR   = #(judged and not repeated) / #judged      over the answered contacts

A contact whose window is cut by the horizon end is left out of both counts, whether or not a
repeat was already seen: keeping the seen repeats alone would bias FCR down at the end.
Every answered contact counts (first contacts, repeats and redials alike), so FCR is the share
of handled contacts that did not cause another one.

**Felt versus agent-reported FCR.** The agent resolves a contact with probability ``p`` (the
channel's ``resolution_probability``, less a launch's or a learning curve's drop); that verdict
is the *agent-reported* FCR (``agent_fcr_frac``). An unresolved contact comes back with
probability ``q`` (``repeat.probability``) after a delay ``D``; a resolved one never does. So
with an exponential or any other delay distribution, and no abandonment in between,

    felt FCR = 1 - (1 - p) · q · P(D <= W)

which is higher than ``p`` whenever some unresolved customers do not come back, or not within
the window: ``p = 75 %``, ``q = 60 %`` and a mean delay of 2 days give 85.5 % within 7 days.
A wider window counts more of the late repeats and lowers it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.errors import InputError
from sla_eval._codes import equals, replication_positions

__all__ = ["DEFAULT_FCR_WINDOW_S", "felt_fcr"]

DEFAULT_FCR_WINDOW_S = 7 * 86400.0


def felt_fcr(
    contacts: pd.DataFrame, *, window_s: float | np.ndarray, horizon_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per contact log row: whether the felt-FCR outcome is judged, and whether it is resolved.

    Parameters
    ----------
    contacts:
        Contact log (``scenarios.log_tables.CONTACT_COLUMNS``), all replications, the whole
        horizon (children arriving after a warm-up must stay in to be seen).
    window_s:
        Repeat window W in seconds (positive), one for every row or one per row (the window
        of each contact's channel).
    horizon_s:
        Horizon length in seconds.

    Returns
    -------
    judged, resolved:
        Boolean arrays aligned with ``contacts``; ``resolved`` implies ``judged``.
    """
    window_s = np.broadcast_to(np.asarray(window_s, np.float64), (len(contacts),))
    if not np.all(window_s > 0):
        raise InputError(f"the FCR window must be positive (got {np.min(window_s)!r} s)")
    replication = contacts["replication"].to_numpy(np.int64)
    contact_id = contacts["contact_id"].to_numpy(np.int64)
    parent_id = contacts["parent_id"].to_numpy(np.int64)
    stride = int(max(contact_id.max(initial=0), parent_id.max(initial=0))) + 1
    reps, rep = replication_positions(replication)
    # the earliest arrival among each contact's children, by (replication, contact_id)
    first_child_s = np.full(len(reps) * stride, np.inf)
    child = np.flatnonzero(parent_id >= 0)
    np.minimum.at(
        first_child_s,
        rep[child] * stride + parent_id[child],
        contacts["arrival_s"].to_numpy(np.float64)[child],
    )
    child_s = first_child_s[rep * stride + contact_id]
    end_s = contacts["end_s"].to_numpy(np.float64)
    answered = equals(contacts["outcome"], "answered")
    judged = answered & (end_s + window_s <= horizon_s)
    repeated = (child_s - end_s) <= window_s
    return judged, judged & ~repeated
