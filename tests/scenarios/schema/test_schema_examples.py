"""The baseline example is staffed as its header says: its fixed shifts meet the Erlang A
requirement of every open realtime interval, repeat contacts included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scenarios.demand import expand
from scenarios.loader import load
from staffing import required_agents

BASELINE = Path(__file__).parents[3] / "scenarios" / "examples" / "baseline.yaml"


@pytest.mark.parametrize("name", ["phone", "chat"])
def test_baseline_shifts_meet_the_erlang_a_requirement(name):
    scenario = load(BASELINE)
    channel, team = scenario.channels[name], scenario.team_of(name)
    arrivals = expand(scenario).channels[name].expected_arrivals
    # unresolved contacts come back: a geometric series of first contacts and repeats
    repeats = 1.0 / (1.0 - (1.0 - channel.resolution_probability) * channel.repeat.probability)
    per_hour = arrivals / (scenario.horizon.interval_s / 3600.0) * repeats
    target = channel.service_target
    # chat: each of max_chats slots per agent at the speed of a full agent, a lower bound on
    # capacity because throughput k * speed_k never falls as k grows
    slots = channel.max_chats
    slowest = channel.concurrency.speeds[-1] if channel.concurrency else 1.0
    busy = per_hour > 0
    required = required_agents(
        per_hour[busy],
        channel.handle_time.mean / slowest,
        target_sl=target.target,
        threshold_s=target.threshold,
        patience_s=channel.patience.mean,
        sl_definition=target.sl_definition,
        short_abandon_s=target.short_abandon or 0.0,
    )
    weekdays = (scenario.horizon.start.weekday() + np.arange(scenario.horizon.days)) % 7
    share = team.staffing.week_share(scenario.horizon.interval_s)[weekdays].reshape(-1)
    on_duty = team.staffing.headcount * share * (1.0 - scenario.partner.shrinkage)
    assert (on_duty[busy] >= np.ceil(required / slots)).all()
