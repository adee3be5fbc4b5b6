"""SLA evaluation: KPIs per measurement period, contract clauses in money, replication summaries.

Reads the simulation's logs (``scenarios.log_tables``), never the simulation itself, so it works on
hand-made logs as well.
"""

from sla_eval._codes import among
from sla_eval.contract import CONTRACT_COLUMNS, clause_kpi, clause_threshold, evaluate_contract
from sla_eval.fcr import DEFAULT_FCR_WINDOW_S, felt_fcr
from sla_eval.fees import billing_fees, period_fee
from sla_eval.kpi_names import (
    SL_DEFINITIONS,
    Threshold,
    abandon_kpi,
    escalation_response_kpi,
    is_fraction_kpi,
    response_kpi,
    service_level_kpi,
)
from sla_eval.kpis import (
    CHANNEL_KINDS,
    DEFAULT_ESCALATION_TARGETS_S,
    KPI_COLUMNS,
    KpiChannel,
    kpi_table,
)
from sla_eval.partner_cost import PartnerCosts, margin_warning, partner_cost
from sla_eval.periods import (
    PERIOD_KINDS,
    Calendar,
    billing_share,
    period_coverage_frac,
    period_index,
    period_nominal_s,
    period_table,
)
from sla_eval.scenario_eval import (
    contract_forecasts,
    evaluate_scenario_contract,
    forecast_table,
    kpi_channels,
    scenario_calendar,
    scenario_coverage_frac,
    scenario_kpi_table,
    scenario_totals,
)
from sla_eval.schemes import banded_eur, fixed_eur, linear_eur, per_unit_eur, scheme_eur
from sla_eval.summary import (
    STAT_COLUMNS,
    TOTAL_COLUMNS,
    clip_fraction_intervals,
    contract_totals,
    describe,
    summarise,
    summary_dict,
    wilson_interval,
)

__all__ = [
    "CHANNEL_KINDS",
    "CONTRACT_COLUMNS",
    "DEFAULT_ESCALATION_TARGETS_S",
    "DEFAULT_FCR_WINDOW_S",
    "KPI_COLUMNS",
    "PERIOD_KINDS",
    "SL_DEFINITIONS",
    "STAT_COLUMNS",
    "TOTAL_COLUMNS",
    "Calendar",
    "KpiChannel",
    "PartnerCosts",
    "Threshold",
    "abandon_kpi",
    "among",
    "banded_eur",
    "billing_fees",
    "billing_share",
    "clause_kpi",
    "clause_threshold",
    "clip_fraction_intervals",
    "contract_forecasts",
    "contract_totals",
    "describe",
    "escalation_response_kpi",
    "evaluate_contract",
    "evaluate_scenario_contract",
    "felt_fcr",
    "fixed_eur",
    "forecast_table",
    "is_fraction_kpi",
    "kpi_channels",
    "kpi_table",
    "linear_eur",
    "margin_warning",
    "partner_cost",
    "per_unit_eur",
    "period_coverage_frac",
    "period_fee",
    "period_index",
    "period_nominal_s",
    "period_table",
    "response_kpi",
    "scenario_calendar",
    "scenario_coverage_frac",
    "scenario_kpi_table",
    "scenario_totals",
    "scheme_eur",
    "service_level_kpi",
    "summarise",
    "summary_dict",
    "wilson_interval",
]
