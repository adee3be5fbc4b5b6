"""Contract terms in words, as a planner writes them: durations, service-level definitions and
what a clause measures."""

from __future__ import annotations

from scenarios.contract import Clause

__all__ = ["clause_label", "duration_text", "sl_definition_text"]


def duration_text(seconds: float) -> str:
    """A duration as people write it: ``30 s``, ``1 min``, ``1.5 h``, ``2 d``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size and seconds % (size / 2) == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def sl_definition_text(sl_definition: str, short_abandon_s: float) -> str:
    """A service-level definition in words: ``per offered``, ``abandons < 5 s excluded``."""
    if sl_definition in ("offered", "answered"):
        return f"per {sl_definition}"
    return f"abandons < {duration_text(short_abandon_s)} excluded"


def clause_label(clause: Clause) -> str:
    """What a contract clause measures, in words with its threshold."""
    kpi = clause.kpi
    if kpi == "service_level":
        return (
            f"service level within {duration_text(clause.threshold_s)}, "
            f"{sl_definition_text(clause.sl_definition, clause.short_abandon)}"
        )
    if kpi == "response_within_target":
        hours = ", business hours" if clause.business_hours else ""
        return f"answered within {duration_text(clause.threshold_s)}{hours}"
    if kpi == "abandon_rate":
        if clause.short_abandon > 0:
            return f"abandon rate (after {duration_text(clause.short_abandon)})"
        return "abandon rate"
    if kpi == "escalation_response":
        return f"escalations picked up within {duration_text(clause.threshold_s)}"
    if kpi == "aht" and clause.target_min is not None:
        return f"average handle time from {duration_text(clause.target_min)}"
    return {
        "asa": "average speed of answer",
        "fcr": "first-contact resolution (no repeat within the channel's window)",
        "escalation_rate": "escalation rate",
        "csat": "CSAT",
        "uptime": "uptime",
        "aht": "average handle time",
        "staff_availability": "staffed / contracted hours",
        "csat_top_box": "CSAT top box (scores 4-5)",
        "csat_negative": "CSAT negative (scores 1-2)",
        "complaint_rate": "complaints (strategic escalations / answered)",
    }[kpi]
