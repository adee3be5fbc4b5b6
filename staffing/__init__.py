"""Staffing engine: required agents per interval for every channel, and the measures they give.

- Erlang B/C/A measures and staffing: :func:`erlang_b`, :func:`erlang_metrics`,
  :func:`required_agents` (Numba kernels in ``staffing._kernels``);
- chat with concurrency: :func:`chat_metrics`, :func:`required_chat_agents`;
- deferrable backlogs: :func:`required_backlog_agents`, :func:`backlog_on_time`;
- time-varying demand: :func:`effective_load` (stationary, lagged, modified offered load);
- forecast uncertainty: :func:`required_agents_with_confidence`, and the measures expected over
  the day factor, :func:`expected_metrics`, :func:`required_agents_expected`;
- retries on the interval grid: :func:`landing_weights`;
- shrinkage and FTE: :func:`scheduled_agents`, :func:`productive_agents`, :func:`fte`;
- a scenario: :func:`solve` (the workload the simulation will see and its staffing, a fixed
  point), :func:`plan` (tidy table, :data:`PLAN_COLUMNS`), :func:`plan_by_day`,
  :func:`plan_by_week` (headcount and FTE), :func:`tier2_table`, :func:`team_rosters`
  (scheduled agents per team and interval, used by the simulation), :func:`load_warnings`.
"""

from staffing.chat import chat_metrics, required_chat_agents
from staffing.day_factor import expected_metrics, required_agents_expected
from staffing.deferrable import backlog_on_time, required_backlog_agents
from staffing.erlang import COLUMNS as COLUMNS_ERLANG
from staffing.erlang import erlang_b, erlang_metrics
from staffing.fixed_point import solve, team_rosters
from staffing.retries import landing_weights
from staffing.roster import fte, productive_agents, scheduled_agents
from staffing.scenario_plan import COLUMNS as PLAN_COLUMNS
from staffing.scenario_plan import SUMMARY_COLUMNS as PLAN_SUMMARY_COLUMNS
from staffing.scenario_plan import TIER2_COLUMNS as PLAN_TIER2_COLUMNS
from staffing.scenario_plan import WEEK_COLUMNS as PLAN_WEEK_COLUMNS
from staffing.scenario_plan import plan, plan_by_day, plan_by_week, tier2_table
from staffing.search import required_agents
from staffing.time_varying import effective_load
from staffing.uncertainty import required_agents_with_confidence, volume_quantile_factor

__all__ = [
    "COLUMNS_ERLANG",
    "PLAN_COLUMNS",
    "PLAN_SUMMARY_COLUMNS",
    "PLAN_TIER2_COLUMNS",
    "PLAN_WEEK_COLUMNS",
    "backlog_on_time",
    "chat_metrics",
    "effective_load",
    "erlang_b",
    "erlang_metrics",
    "expected_metrics",
    "fte",
    "landing_weights",
    "plan",
    "plan_by_day",
    "plan_by_week",
    "productive_agents",
    "required_agents",
    "required_agents_expected",
    "required_agents_with_confidence",
    "required_backlog_agents",
    "required_chat_agents",
    "scheduled_agents",
    "solve",
    "team_rosters",
    "tier2_table",
    "volume_quantile_factor",
]
