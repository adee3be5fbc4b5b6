"""Staffing engine: Erlang B/C/A measures, required agents per interval for every channel.

Public API: :func:`erlang_b`, :func:`erlang_metrics`, :func:`required_agents`.
"""

from staffing.erlang import COLUMNS as COLUMNS_ERLANG
from staffing.erlang import erlang_b, erlang_metrics
from staffing.search import required_agents

__all__ = ["COLUMNS_ERLANG", "erlang_b", "erlang_metrics", "required_agents"]
