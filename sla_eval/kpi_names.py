"""KPI names of the long KPI table, including the ones that carry a threshold.

A channel may be measured against several thresholds (its own service target plus every
contract clause). The plain names (``service_level``, ``response_within_target_frac``,
``escalation_response_within_target_frac``, ``abandon_frac``) are the channel's own service
target, the tier-2 response targets and all abandons; a threshold adds a suffix:

==============================================  ================================================
name                                            meaning
==============================================  ================================================
``service_level_offered_30s``                   answered within 30 s / offered
``service_level_answered_30s``                  answered within 30 s / answered
``service_level_excl_short_abandons_30s_sa5s``  answered within 30 s / (offered - abandoned
                                                within 5 s)
``service_level_short_abandons_met_30s_sa5s``   (answered within 30 s + abandoned within 5 s)
                                                / offered
``abandon_frac_sa5s``                           abandoned after 5 s / (offered - abandoned
                                                within 5 s)
``response_within_target_frac_7200s``           answered within 7200 calendar seconds / received
``response_within_target_frac_7200s_bh``        the same in business-hours seconds
``escalation_response_within_target_frac_14400s``  tier 2 picked up within 14400 s / escalated
==============================================  ================================================

Seconds are written without a trailing ``.0`` (``30s``, ``2.5s``).
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.errors import InputError

__all__ = [
    "SL_DEFINITIONS",
    "Threshold",
    "abandon_kpi",
    "escalation_response_kpi",
    "is_fraction_kpi",
    "response_kpi",
    "service_level_kpi",
]

SL_DEFINITIONS = ("offered", "answered", "excl_short_abandons", "short_abandons_met")
_SHORT_ABANDON_DEFINITIONS = ("excl_short_abandons", "short_abandons_met")
_FRACTION_NAMES = ("p_wait", "p_breach")


def is_fraction_kpi(name: str) -> bool:
    """Whether KPI ``name`` is a share in [0, 1] (service levels, ``*_frac*``, P(wait))."""
    return name.startswith("service_level") or "_frac" in name or name in _FRACTION_NAMES


@dataclass(frozen=True)
class Threshold:
    """A response-time threshold a channel is measured against.

    Attributes
    ----------
    threshold_s:
        The threshold t (seconds, >= 0).
    short_abandon_s:
        Abandons within this many seconds are short abandons (real-time channels).
    business_hours:
        Count the response time in opening hours only (deferrable channels).
    """

    threshold_s: float
    short_abandon_s: float = 0.0
    business_hours: bool = False

    def __post_init__(self) -> None:
        for name in ("threshold_s", "short_abandon_s"):
            value = getattr(self, name)
            if not value >= 0 or value == float("inf"):
                raise InputError(f"{name} must be a finite number >= 0 (got {value!r})")


def _label(seconds: float) -> str:
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return f"{text}s"


def service_level_kpi(definition: str, threshold: Threshold) -> str:
    """Name of the service level under ``definition`` (one of :data:`SL_DEFINITIONS`)."""
    if definition not in SL_DEFINITIONS:
        raise InputError(
            f"sl_definition must be one of {', '.join(SL_DEFINITIONS)} (got {definition!r})"
        )
    name = f"service_level_{definition}_{_label(threshold.threshold_s)}"
    if definition in _SHORT_ABANDON_DEFINITIONS:
        name += f"_sa{_label(threshold.short_abandon_s)}"
    return name


def abandon_kpi(short_abandon_s: float) -> str:
    """Name of the abandonment fraction that does not count abandons within ``short_abandon_s``."""
    return "abandon_frac" if short_abandon_s == 0 else f"abandon_frac_sa{_label(short_abandon_s)}"


def response_kpi(threshold: Threshold) -> str:
    """Name of the share of deferrable contacts answered within the threshold."""
    name = f"response_within_target_frac_{_label(threshold.threshold_s)}"
    return name + "_bh" if threshold.business_hours else name


def escalation_response_kpi(threshold_s: float | None = None) -> str:
    """Name of the share of escalations picked up in time (None: the per-type targets)."""
    name = "escalation_response_within_target_frac"
    return name if threshold_s is None else f"{name}_{_label(threshold_s)}"
