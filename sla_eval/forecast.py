"""The contract forecast: the first contacts the client committed to, per channel and period.

Relief bands and forecast-based minimum volumes (:mod:`sla_eval.contract`) compare the first
contacts that arrived with it. It is separate from the demand that arrives: the scenario's
expected demand (``scenarios.Workload``, volumes with peaks and launches) is what the forecast
is built on, and ``events.forecast_bias`` moves the arrivals away from it in the simulation.

Per channel and interval ``i``, with ``e_i`` the workload's expected first contacts
(``contract.forecast``):

* ``factor: f`` (the default for channels not named, ``f = 1``): ``f · e_i``;
* committed ``contacts: [C_1, C_2, ...]`` per calendar ``period``: ``C_p · c_p · e_i / E_p``
  for the intervals ``i`` of period ``p``, with ``E_p = Σ_{i ∈ p} e_i`` over the horizon and
  ``c_p`` the share of the calendar period inside the horizon (so two days of March carry 2/31
  of the March commitment, spread like the expected demand; evenly when ``E_p = 0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sla_eval.periods import Calendar, period_coverage_frac

if TYPE_CHECKING:
    from scenarios.demand import Workload
    from scenarios.scenario import Scenario


__all__ = ["committed_arrivals", "forecast_table"]


def _committed(
    contacts: tuple[float, ...], kind: str, expected: np.ndarray, calendar: Calendar
) -> np.ndarray:
    starts = np.arange(len(expected)) * float(calendar.interval_s)
    period = calendar.index(starts, kind)
    coverage = period_coverage_frac(
        start=calendar.start,
        kind=kind,
        interval_s=calendar.interval_s,
        horizon_s=calendar.horizon_s,
    )
    position = np.searchsorted(coverage.index.to_numpy(), period)
    total = np.bincount(position, weights=expected, minlength=len(coverage))
    count = np.bincount(position, minlength=len(coverage))
    weight = np.where(
        total[position] > 0, expected / np.where(total > 0, total, 1.0)[position], 0.0
    )
    weight = np.where(total[position] > 0, weight, 1.0 / count[position])
    amount = np.asarray(contacts, np.float64) * coverage.to_numpy(np.float64)
    return amount[position] * weight


def committed_arrivals(scenario: Scenario, workload: Workload) -> dict[str, np.ndarray]:
    """The contract forecast of first contacts per channel and interval (module docstring).

    Parameters
    ----------
    scenario:
        A ``scenarios.Scenario`` with a contract.
    workload:
        Its ``scenarios.expand``; the expected first contacts the forecast is built on.
    """
    horizon = scenario.horizon
    calendar = Calendar(horizon.start, horizon.interval_s, horizon.horizon_s)
    assert scenario.contract is not None, "only a contract has a forecast"
    forecast = scenario.contract.forecast
    committed = {}
    for name, load in workload.channels.items():
        expected = np.asarray(load.expected_arrivals, np.float64)
        own = forecast.channels.get(name)
        if own is None:
            committed[name] = forecast.factor * expected
        elif own.factor is not None:
            committed[name] = own.factor * expected
        else:
            assert own.contacts is not None and own.period is not None, "contacts per period"
            committed[name] = _committed(own.contacts, own.period, expected, calendar)
    return committed


def forecast_table(
    arrivals: Mapping[str, np.ndarray], calendar: Calendar, kind: str
) -> pd.DataFrame:
    """Forecast first contacts per channel and period of ``kind``; intervals starting before
    the warm-up end are left out, as their contacts are not measured.

    Parameters
    ----------
    arrivals:
        Expected first contacts per channel and interval (:func:`committed_arrivals`).
    calendar:
        The measured horizon.
    kind:
        The period kind.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (int64), ``channel`` (str), ``expected_contacts`` (float64).
    """
    n = len(next(iter(arrivals.values())))
    starts = np.arange(n) * float(calendar.interval_s)
    keep = starts >= calendar.warmup_s
    period = calendar.index(starts[keep], kind)
    frames = [
        pd.DataFrame(
            {
                "period": period,
                "channel": name,
                "expected_contacts": np.asarray(values, np.float64)[keep],
            }
        )
        for name, values in arrivals.items()
    ]
    joined = pd.concat(frames, ignore_index=True)
    return joined.groupby(["period", "channel"], as_index=False, sort=True)[
        "expected_contacts"
    ].sum()
