"""The SLA contract: fee, measurement period, at-risk cap and clauses with penalty and bonus
schemes.

Units of a clause: ``target`` (and a bonus's ``above``) is a fraction for the fractional KPIs,
seconds for ``asa`` and ``aht`` and a score 1..5 for ``csat``. Scheme *units* are percentage
points for fractional KPIs (0.01 = 1 point), seconds for ``asa`` and ``aht`` and score points
for ``csat``; a clause
turns a measured value into a shortfall (penalty side) or an excess (bonus side) in those units
with :meth:`Clause.shortfall_units` and :meth:`Clause.excess_units`; ``sla_eval.schemes`` turns
units into euros.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, overload

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from scenarios._base import (
    NonEmpty,
    StrictModel,
    problems_error,
    raise_problems,
    repeated_names,
)
from scenarios.commitments import PERIODS, ChannelForecast, Fee, Forecast, Period
from scenarios.limits import MAX_EUR
from scenarios.units import (
    Count,
    DurationS,
    Fraction,
    NonNegativeRatio,
    parse_duration_s,
    parse_fraction,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ALL_CHANNELS",
    "CHANNEL_ALL_KPIS",
    "CSAT_KPIS",
    "DEFERRABLE_KPIS",
    "FRACTION_KPIS",
    "KPIS",
    "LOWER_IS_BETTER_KPIS",
    "PERIODS",
    "REALTIME_KPIS",
    "SECONDS_KPIS",
    "THRESHOLD_KPIS",
    "Band",
    "BandedBonus",
    "BandedScheme",
    "Bonus",
    "ChannelForecast",
    "Clause",
    "Contract",
    "Fee",
    "FixedBonus",
    "FixedScheme",
    "Forecast",
    "LinearBonus",
    "LinearScheme",
    "Penalty",
    "PerUnitBonus",
    "PerUnitScheme",
    "RepeatMiss",
    "parse_kpi_value",
]

Kpi = Literal[
    "service_level",
    "asa",
    "abandon_rate",
    "response_within_target",
    "fcr",
    "escalation_rate",
    "escalation_response",
    "csat",
    "uptime",
    "aht",
    "staff_availability",
    "csat_top_box",
    "csat_negative",
    "complaint_rate",
]
KPIS: tuple[str, ...] = Kpi.__args__  # type: ignore[attr-defined]
FRACTION_KPIS = frozenset(KPIS) - {"asa", "csat", "aht"}
"""KPIs measured as a fraction in [0, 1]."""
SECONDS_KPIS = frozenset({"asa", "aht"})
"""KPIs measured in seconds."""
LOWER_IS_BETTER_KPIS = frozenset(
    {"asa", "abandon_rate", "escalation_rate", "aht", "csat_negative", "complaint_rate"}
)
"""KPIs whose target is a maximum (``aht`` may add a minimum, ``target_min``)."""
CSAT_KPIS = frozenset({"csat", "csat_top_box", "csat_negative"})
"""KPIs that need the channel's ``csat`` model."""
THRESHOLD_KPIS = frozenset({"service_level", "response_within_target", "escalation_response"})
"""KPIs that need a ``threshold`` (and only they accept one)."""
REALTIME_KPIS = frozenset({"service_level", "asa", "abandon_rate"})
"""KPIs that only make sense on a realtime channel."""
DEFERRABLE_KPIS = frozenset({"response_within_target"})
"""KPIs that only make sense on a deferrable channel."""
ALL_CHANNELS = "all"
"""Channel name of a clause measured over every channel."""
CHANNEL_ALL_KPIS = frozenset({"uptime", "escalation_response", "staff_availability"})
"""KPIs that may use ``channel: all``."""


def parse_kpi_value(kpi: str, value: Any) -> float:
    """Parse a target-like value in the unit of ``kpi``.

    Seconds (``30s``) for ``asa`` and ``aht``, a score in [1, 5] for ``csat``, a fraction
    (``80%``) else.
    """
    if kpi in SECONDS_KPIS:
        return parse_duration_s(value)
    if kpi == "csat":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("a csat target must be a score between 1 and 5, e.g. 4.0")
        if not 1.0 <= value <= 5.0:
            raise ValueError("a csat target must be a score between 1 and 5")
        return float(value)
    return parse_fraction(value)


class FixedScheme(StrictModel):
    """``scheme: fixed``: ``percent_of_fee`` of the period fee whenever units > 0."""

    scheme: Literal["fixed"]
    percent_of_fee: Fraction


class LinearScheme(StrictModel):
    """``scheme: linear``: per unit, a share of the fee (``per_point_percent_of_fee``) or an
    amount (``per_point_eur``), capped at ``cap_percent_of_fee`` of the fee when given."""

    scheme: Literal["linear"]
    per_point_percent_of_fee: Fraction | None = None
    per_point_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)
    cap_percent_of_fee: Fraction | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> LinearScheme:
        if (self.per_point_percent_of_fee is None) == (self.per_point_eur is None):
            raise ValueError("give exactly one of per_point_percent_of_fee or per_point_eur")
        return self


class Band(StrictModel):
    """From ``from_shortfall_points`` units on, ``percent_of_fee`` applies."""

    from_shortfall_points: float = Field(ge=0)
    percent_of_fee: Fraction


class BandedScheme(StrictModel):
    """``scheme: banded``: the band with the largest ``from_shortfall_points`` not above the
    units applies (nothing below the first band)."""

    scheme: Literal["banded"]
    bands: Annotated[tuple[Band, ...], NonEmpty, Field(max_length=100)]

    @model_validator(mode="after")
    def _increasing(self) -> BandedScheme:
        problems = []
        for index in range(1, len(self.bands)):
            low, high = self.bands[index - 1], self.bands[index]
            if high.from_shortfall_points <= low.from_shortfall_points:
                problems.append(
                    (
                        ("bands", index, "from_shortfall_points"),
                        f"must be above the previous band's {low.from_shortfall_points:g}",
                        high.from_shortfall_points,
                    )
                )
            if high.percent_of_fee < low.percent_of_fee:
                problems.append(
                    (
                        ("bands", index, "percent_of_fee"),
                        f"must not be below the previous band's {low.percent_of_fee:.4g}",
                        high.percent_of_fee,
                    )
                )
        raise_problems("BandedScheme", problems)
        return self


class PerUnitScheme(StrictModel):
    """``scheme: per_unit``: ``eur_per_unit`` for each unit beyond ``dead_band_units``, capped
    at ``cap_eur`` when given."""

    scheme: Literal["per_unit"]
    eur_per_unit: float = Field(ge=0, le=MAX_EUR)
    dead_band_units: float = Field(default=0.0, ge=0)
    cap_eur: float | None = Field(default=None, ge=0, le=MAX_EUR)


class FixedBonus(FixedScheme):
    """A fixed bonus; ``above`` is the bonus threshold (default: the clause target)."""

    above: float | None = None


class LinearBonus(LinearScheme):
    """A linear bonus; ``above`` is the bonus threshold (default: the clause target)."""

    above: float | None = None


class BandedBonus(BandedScheme):
    """A banded bonus; ``above`` is the bonus threshold (default: the clause target)."""

    above: float | None = None


class PerUnitBonus(PerUnitScheme):
    """A per-unit bonus; ``above`` is the bonus threshold (default: the clause target)."""

    above: float | None = None


_SCHEMES = ("fixed", "linear", "banded", "per_unit")

Penalty = Annotated[
    FixedScheme | LinearScheme | BandedScheme | PerUnitScheme, Field(discriminator="scheme")
]
"""A penalty scheme, discriminated by ``scheme``."""
Bonus = Annotated[
    FixedBonus | LinearBonus | BandedBonus | PerUnitBonus, Field(discriminator="scheme")
]
"""A bonus scheme, discriminated by ``scheme``."""


class RepeatMiss(StrictModel):
    """Penalty times ``multiplier`` when ``misses`` of the last ``window_periods`` periods
    (this one included) missed the clause."""

    window_periods: int = Field(ge=2, le=120)
    misses: int = Field(ge=2)
    multiplier: float = Field(ge=1.0, le=100.0)

    @model_validator(mode="after")
    def _fits_window(self) -> RepeatMiss:
        if self.misses > self.window_periods:
            raise_problems(
                "RepeatMiss",
                [
                    (
                        ("misses",),
                        f"must not exceed window_periods {self.window_periods}",
                        self.misses,
                    )
                ],
            )
        return self


class Clause(StrictModel):
    """One service-level clause; see ``scenarios/README.md`` for every field."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)
    kpi: Kpi
    channel: str
    threshold: DurationS | None = None
    target: float
    target_min: DurationS | None = None
    measurement_period: Period | None = None
    sl_definition: Literal["offered", "answered", "excl_short_abandons"] = "offered"
    short_abandon: DurationS = 0.0
    business_hours: bool = False
    pool: Fraction = 1.0
    penalty: Penalty | None = None
    bonus: Bonus | None = None
    min_volume: Count = 0.0
    min_volume_basis: Literal["actual", "forecast"] = "actual"
    relief_band: NonNegativeRatio | None = None
    earn_back_periods: int | None = Field(default=None, ge=1, le=120)
    repeat_miss: RepeatMiss | None = None

    @field_validator("target", mode="before")
    @classmethod
    def _target_unit(cls, value: Any, info: ValidationInfo) -> Any:
        kpi = info.data.get("kpi")
        return value if kpi is None else parse_kpi_value(kpi, value)

    @field_validator("bonus", mode="before")
    @classmethod
    def _above_unit(cls, value: Any, info: ValidationInfo) -> Any:
        kpi = info.data.get("kpi")
        if kpi is None or not isinstance(value, dict) or value.get("above") is None:
            return value
        try:
            return {**value, "above": parse_kpi_value(kpi, value["above"])}
        except ValueError as error:
            # the scheme tag is part of the path, as in pydantic's own union errors
            scheme = value.get("scheme")
            loc = ("above",) if scheme not in _SCHEMES else (scheme, "above")
            raise problems_error("Clause", [(loc, str(error), value["above"])]) from None

    @model_validator(mode="after")
    def _clause_rules(self) -> Clause:
        raise_problems("Clause", self._problems())
        return self

    def _problems(self) -> list[tuple[tuple[str, ...], str, Any]]:
        kpi = self.kpi
        problems: list[tuple[tuple[str, ...], str, Any]] = []
        if kpi in THRESHOLD_KPIS and self.threshold is None:
            problems.append((("threshold",), f"is required for kpi {kpi}", None))
        if kpi not in THRESHOLD_KPIS and self.threshold is not None:
            message = f"is not used by kpi {kpi}; remove it"
            problems.append((("threshold",), message, self.threshold))
        if kpi in THRESHOLD_KPIS and self.threshold == 0:
            problems.append((("threshold",), "must be longer than zero", self.threshold))
        only_for = {
            "sl_definition": (self.sl_definition != "offered", ("service_level",)),
            "short_abandon": (self.short_abandon > 0, ("service_level", "abandon_rate")),
            "business_hours": (self.business_hours, ("response_within_target",)),
        }
        for name, (given, kpis) in only_for.items():
            if given and kpi not in kpis:
                problems.append(
                    ((name,), f"is only for kpi {' or '.join(kpis)}", getattr(self, name))
                )
        if self.sl_definition == "excl_short_abandons" and self.short_abandon <= 0:
            message = "must be given (> 0) for excl_short_abandons"
            problems.append((("short_abandon",), message, None))
        if self.channel == ALL_CHANNELS and kpi not in CHANNEL_ALL_KPIS:
            problems.append(
                (("channel",), "'all' is only for kpi uptime or escalation_response", "all")
            )
        if self.target_min is not None:
            problems += self._band_problems()
        if self.penalty is None and self.bonus is None:
            problems.append((("penalty",), "give a penalty, a bonus or both", None))
        if self.penalty is None:
            for name in ("relief_band", "earn_back_periods", "repeat_miss"):
                if getattr(self, name) is not None:
                    problems.append(((name,), "needs a penalty", None))
        above = self.bonus.above if self.bonus is not None else None
        if above is not None and self.shortfall_units(above) > 0:
            problems.append(
                (
                    ("bonus", self.bonus.scheme, "above"),  # type: ignore[union-attr]
                    f"must be at least as good as the target {self.target:g}",
                    above,
                )
            )
        return problems

    def _band_problems(self) -> list[tuple[tuple[str, ...], str, Any]]:
        """``target_min`` makes an AHT clause a band: only for ``aht``, below the target, and
        without a bonus (a band has no better side)."""
        if self.kpi != "aht":
            return [(("target_min",), "is only for kpi aht (a band of handle times)", None)]
        problems: list[tuple[tuple[str, ...], str, Any]] = []
        if self.target_min >= self.target:  # type: ignore[operator]
            message = f"must be below the target (the band's maximum) {self.target:g} s"
            problems.append((("target_min",), message, self.target_min))
        if self.bonus is not None:
            message = "an AHT band has no better side: remove the bonus or target_min"
            problems.append((("bonus",), message, None))
        return problems

    @property
    def threshold_s(self) -> float:
        """``threshold`` of a clause whose KPI has one (:data:`THRESHOLD_KPIS`: the rules
        require it there)."""
        assert self.threshold is not None, f"kpi {self.kpi} has no threshold"
        return self.threshold

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger measured value is better (False for asa, abandon and escalation)."""
        return self.kpi not in LOWER_IS_BETTER_KPIS

    @property
    def bonus_threshold(self) -> float | None:
        """The value beyond which a bonus is earned (``above``, else the target); None without
        a bonus."""
        if self.bonus is None:
            return None
        return self.target if self.bonus.above is None else self.bonus.above

    @overload
    def _units(self, gap: float) -> float: ...
    @overload
    def _units(self, gap: np.ndarray) -> np.ndarray: ...
    def _units(self, gap: float | np.ndarray) -> float | np.ndarray:
        return gap * 100.0 if self.kpi in FRACTION_KPIS else gap

    @overload
    def shortfall_units(self, measured: float) -> float: ...
    @overload
    def shortfall_units(self, measured: np.ndarray) -> np.ndarray: ...
    def shortfall_units(self, measured: float | np.ndarray) -> float | np.ndarray:
        """How far ``measured`` falls short of the target, in scheme units (<= 0 when met).

        Points for fractions (target 80 %, measured 77 % gives 3), seconds for asa and aht,
        score points for csat. An AHT band (``target_min`` to ``target``) falls short by the
        seconds outside it: ``max(measured - target, target_min - measured)``.
        """
        gap = self.target - measured if self.higher_is_better else measured - self.target
        if self.target_min is not None:
            gap = np.maximum(gap, self.target_min - measured)
        return self._units(gap)

    @overload
    def excess_units(self, measured: float) -> float: ...
    @overload
    def excess_units(self, measured: np.ndarray) -> np.ndarray: ...
    def excess_units(self, measured: float | np.ndarray) -> float | np.ndarray:
        """How far ``measured`` beats the bonus threshold, in scheme units (<= 0 when not);
        0 without a bonus."""
        threshold = self.bonus_threshold
        if threshold is None:
            return 0.0
        gap = measured - threshold if self.higher_is_better else threshold - measured
        return self._units(gap)


class Contract(StrictModel):
    """The SLA contract with the partner."""

    fee: Fee
    measurement_period: Period = "month"
    at_risk_cap: Fraction | None = None
    forecast: Forecast = Forecast()
    clauses: Annotated[tuple[Clause, ...], NonEmpty, Field(max_length=200)]

    @model_validator(mode="after")
    def _contract_rules(self) -> Contract:
        ids = [clause.id for clause in self.clauses]
        problems = repeated_names("clauses", "id", ids, "clause")
        if (
            self.fee.fixed_per_period_eur is not None
            and self.measurement_period != self.fee.billing_period
        ):
            problems.append(
                (
                    ("fee", "fixed_per_period_eur"),
                    "was the fee per measurement period "
                    f"({self.measurement_period}); write fixed_eur, the fee per billing_period "
                    f"({self.fee.billing_period} unless given)",
                    self.fee.fixed_per_period_eur,
                )
            )
        raise_problems("Contract", problems)
        return self

    def period_of(self, clause: Clause) -> str:
        """The period ``clause`` is measured over: its own, else the contract's."""
        return clause.measurement_period or self.measurement_period

    @property
    def period_kinds(self) -> tuple[str, ...]:
        """Every calendar period the contract needs: billing and each clause's, in
        :data:`PERIODS` order."""
        used = {self.fee.billing_period, *(self.period_of(clause) for clause in self.clauses)}
        return tuple(kind for kind in PERIODS if kind in used)
