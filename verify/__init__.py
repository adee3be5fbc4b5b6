"""Simulation-verified staffing: the analytic plan corrected by simulation on common random
numbers until every realtime channel meets its target with a stated probability
(:func:`verify_plan`, ``ccplan staff SCENARIO --verify``)."""

from verify.workflow import ADDED_COLUMNS, ROUND_COLUMNS, VerifiedPlan, verify_plan

__all__ = ["ADDED_COLUMNS", "ROUND_COLUMNS", "VerifiedPlan", "verify_plan"]
