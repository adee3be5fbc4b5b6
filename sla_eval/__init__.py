"""SLA evaluation: KPIs per measurement period, contract clauses in money, replication summaries.

Reads the simulation's logs (``scenarios.records``), never the simulation itself, so it works on
hand-made logs as well.
"""

from sla_eval.contract import CONTRACT_COLUMNS, clause_kpi, clause_threshold, evaluate_contract
from sla_eval.fcr import DEFAULT_FCR_WINDOW_S, felt_fcr
from sla_eval.kpis import (
    CHANNEL_KINDS,
    DEFAULT_ESCALATION_TARGETS_S,
    KPI_COLUMNS,
    ChannelSpec,
    kpi_table,
)
from sla_eval.names import (
    SL_DEFINITIONS,
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.periods import PERIOD_KINDS, period_index, period_table

__all__ = [
    "CHANNEL_KINDS",
    "CONTRACT_COLUMNS",
    "DEFAULT_ESCALATION_TARGETS_S",
    "DEFAULT_FCR_WINDOW_S",
    "KPI_COLUMNS",
    "PERIOD_KINDS",
    "SL_DEFINITIONS",
    "ChannelSpec",
    "Threshold",
    "abandon_kpi",
    "clause_kpi",
    "clause_threshold",
    "escalation_response_kpi",
    "evaluate_contract",
    "felt_fcr",
    "kpi_table",
    "period_index",
    "period_table",
    "response_kpi",
    "service_level_kpi",
]
