"""How precise a run's estimates are, and how many replications would make them precise enough.

Two kinds of target (:func:`parse_precision` reads them from ``--precision``):

* ``1pp``: the 95 % interval of every clause's P(breach) (a breach in any measurement period of
  the horizon, :mod:`sla_eval.summary`) has a half-width of at most one percentage point. The
  interval is Wilson's, as in the summary; its half-width is ``(high - low) / 2``.
* ``500eur``: the t-based 95 % interval of the expected net credit (penalty - earned back -
  bonus, summed over the horizon) has a half-width of at most 500 euros.

:func:`precision_checks` measures each target on a run's contract rows and money and projects
the replications that would meet it (Law 2015, *Simulation Modeling and Analysis*, 5th ed.,
§9.4.1): for a mean, the fewest ``n`` with ``t(0.975, n-1) s / sqrt(n)`` within the limit
(:func:`replications_needed`); for a share, the fewest ``n`` whose Wilson half-width at the share
seen so far is within it (:func:`share_replications_needed`). Both are projections from the
replications so far: a run grows to them and checks again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from scenarios.errors import InputError
from sla_eval.summary import describe, wilson_interval

__all__ = [
    "PrecisionCheck",
    "PrecisionTarget",
    "parse_precision",
    "precision_checks",
    "precision_lines",
    "replications_needed",
    "share_replications_needed",
]

_Z975 = float(special.ndtri(0.975))
_TARGET = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(pp|eur)\s*", re.IGNORECASE)
_POINT = 0.01
"""One percentage point, as a fraction."""


def replications_needed(std: float, limit: float) -> int:
    r"""The fewest replications ``n`` whose 95 % interval half-width is within ``limit``.

    .. math:: n^* = \min\{n \ge 2 : t_{0.975,\,n-1}\, s / \sqrt{n} \le \ell\}

    with ``s = std`` the standard deviation per replication estimated so far (the
    replication-count rule of Law 2015, *Simulation Modeling and Analysis*, 5th ed., §9.4.1).
    Found by fixed-point iteration from the normal bound ``(z s / ℓ)^2``: the t quantile falls
    as ``n`` grows, so the iterates rise until the interval at the last one is within ``ℓ``;
    that one can be past ``n*`` by a few, so the count is then lowered while one fewer still
    meets ``ℓ``.
    """
    if not (limit > 0.0 and np.isfinite(std) and std >= 0.0):
        raise InputError(f"need a finite std >= 0 and a limit > 0 (got {std}, {limit})")

    def half(count: int) -> float:
        return float(special.stdtrit(count - 1, 0.975)) * std / math.sqrt(count)

    needed = max(2, math.ceil((_Z975 * std / limit) ** 2))
    while half(needed) > limit:
        needed = max(needed + 1, math.ceil((special.stdtrit(needed - 1, 0.975) * std / limit) ** 2))
    while needed > 2 and half(needed - 1) <= limit:
        needed -= 1
    return needed


def _wilson_half(share: float, n: int) -> float:
    low, high = wilson_interval(share * n, n)
    return (high - low) / 2.0


def share_replications_needed(share: float, limit: float) -> int:
    """The fewest replications ``n`` whose Wilson 95 % interval of a share ``share`` (seen so
    far) has a half-width within ``limit``.

    The half-width falls as ``n`` grows for a fixed share, so the count is found by doubling and
    bisection; the normal bound ``z^2 p (1 - p) / limit^2`` is where the search starts.
    """
    if not (0.0 <= share <= 1.0 and limit > 0.0):
        raise InputError(f"need a share in [0, 1] and a limit > 0 (got {share}, {limit})")
    low = 1
    high = max(2, math.ceil(_Z975**2 * share * (1.0 - share) / limit**2))
    while _wilson_half(share, high) > limit:
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        if _wilson_half(share, middle) > limit:
            low = middle
        else:
            high = middle
    return high


@dataclass(frozen=True)
class PrecisionTarget:
    """A precision target of ``--precision``.

    Attributes
    ----------
    kind:
        ``"p_breach"`` (every clause's P(breach), ``limit`` a fraction) or ``"net_credit"``
        (the expected net credit, ``limit`` in euros).
    limit:
        The largest 95 % interval half-width.
    text:
        As given (``1pp``, ``500eur``).
    """

    kind: str
    limit: float
    text: str


def parse_precision(text: str) -> PrecisionTarget:
    """A target from ``NUMBERpp`` (percentage points of every clause's P(breach)) or
    ``NUMBEReur`` (euros of the expected net credit).

    Raises
    ------
    InputError
        For anything else, or a number that is not above zero.
    """
    found = _TARGET.fullmatch(text)
    if found is None:
        raise InputError(
            f"--precision must be points of P(breach) like 1pp or euros of net credit like "
            f"500eur (got {text!r})"
        )
    value, unit = float(found.group(1)), found.group(2).lower()
    if not value > 0:
        raise InputError(f"--precision must be above zero (got {text!r})")
    if unit == "pp":
        if value >= 100:
            raise InputError(f"--precision in points must be below 100pp (got {text!r})")
        return PrecisionTarget("p_breach", value * _POINT, text.strip())
    return PrecisionTarget("net_credit", value, text.strip())


@dataclass(frozen=True)
class PrecisionCheck:
    """One estimate held to a target.

    Attributes
    ----------
    target:
        The target.
    what:
        ``"clause <id>"`` or ``"net credit"``.
    estimate:
        The estimate (a share, or euros); None when the clause never applied.
    half_width:
        Its 95 % interval half-width now; None when not applicable.
    met:
        Whether the half-width is within the target (a clause that never applied has no
        P(breach) to make precise and counts as met).
    needed:
        The replications in all that the projection says would meet it (the count so far when
        met).
    """

    target: PrecisionTarget
    what: str
    estimate: float | None
    half_width: float | None
    met: bool
    needed: int


def _breach_checks(target: PrecisionTarget, contract: pd.DataFrame, n: int) -> list[PrecisionCheck]:
    checks = []
    for clause, rows in contract.groupby("clause", observed=True, sort=False):
        per_rep = rows.groupby("replication")[["breach", "applicable"]].any()
        what = f"clause {clause}"
        if not per_rep["applicable"].any():
            checks.append(PrecisionCheck(target, what, None, None, True, n))
            continue
        share = float(per_rep["breach"].mean())
        half = _wilson_half(share, len(per_rep))
        met = half <= target.limit
        needed = n if met else max(n + 1, share_replications_needed(share, target.limit))
        checks.append(PrecisionCheck(target, what, share, half, met, needed))
    return checks


def _credit_check(target: PrecisionTarget, totals: pd.DataFrame, n: int) -> PrecisionCheck:
    credits = totals.groupby("replication")["net_credit_eur"].sum().to_numpy(np.float64)
    described = describe(credits)
    low, high = described["ci95"]
    if low is None or high is None:
        return PrecisionCheck(target, "net credit", described["mean"], None, False, max(n + 1, 2))
    half = (high - low) / 2.0
    met = half <= target.limit
    std = float(np.std(credits, ddof=1))
    needed = n if met else max(n + 1, replications_needed(std, target.limit))
    return PrecisionCheck(target, "net credit", described["mean"], half, met, needed)


def precision_checks(
    targets: Sequence[PrecisionTarget],
    contract: pd.DataFrame | None,
    totals: pd.DataFrame | None,
) -> list[PrecisionCheck]:
    """Every target measured on a run's contract rows and money (:class:`PrecisionCheck`, one
    per clause for a P(breach) target).

    Raises
    ------
    InputError
        For targets without a contract to measure them on.
    """
    if not targets:
        return []
    if contract is None or totals is None:
        raise InputError("--precision needs a scenario with a contract (P(breach), net credit)")
    n = int(totals["replication"].nunique())
    checks: list[PrecisionCheck] = []
    for target in targets:
        if target.kind == "p_breach":
            checks.extend(_breach_checks(target, contract, n))
        else:
            checks.append(_credit_check(target, totals, n))
    return checks


def _amount(check: PrecisionCheck, value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.2f} pp" if check.target.kind == "p_breach" else f"{value:,.0f} EUR"


def precision_lines(checks: Sequence[PrecisionCheck], replications: int) -> list[str]:
    """One line per target measured: met or not, the half-width and the target, and for one
    not met the replications the projection says it needs."""
    lines = []
    for check in checks:
        half, limit = _amount(check, check.half_width), _amount(check, check.target.limit)
        if check.met:
            lines.append(f"precision met: {check.what}: 95 % half-width {half} <= {limit}")
        else:
            lines.append(
                f"precision NOT met: {check.what}: 95 % half-width {half} > {limit} after "
                f"{replications} replications (about {check.needed} needed; raise "
                "--max-replications)"
            )
    return lines
