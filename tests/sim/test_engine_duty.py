"""Differential tests of the compiled engine on the roster's edges: end of duty (``hand_back`` and
the overtime of ``finish_contact``), random absence, tier 2 per interval and paid time.

Each trace runs both engines on the same input and streams (the ``same_logs`` fixture of
``conftest.py``: contact, agent and outage tables equal to the last bit, the agent table with
its paid time) and checks that the feature it is about did happen in it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.absence import draw_absence
from sim.arrivals import arrival_times
from sim.specs import ChannelSpec, Dist, ModelInput, TeamSpec, Tier2Spec
from sim.streams import Streams

FIXED = Dist("deterministic", 0.0)
INTERVAL_S = 900.0


def _phone(n: int, aht_s: float, *, handle: Dist = FIXED, patience_s: float | None = None,
           name: str = "phone", max_chats: int = 1, **kw) -> ChannelSpec:  # fmt: skip
    speeds = (1.0, 0.8, 0.65, 0.55)[:max_chats]
    return ChannelSpec(
        name=name,
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, aht_s),
        handle=handle,
        patience=FIXED if handle == FIXED else Dist(),
        patience_mean_s=None if patience_s is None else np.full(n, patience_s),
        max_chats=max_chats,
        speed_by_chats=speeds,
        **kw,
    )


def _poisson(rate_per_interval: float, n: int, name: str, seed: int = 11) -> np.ndarray:
    rng = Streams(seed, 0).rng("arrivals", name)
    return arrival_times(np.full(n, rate_per_interval), INTERVAL_S, rng)


def _input(channels, teams, arrivals, **kw) -> ModelInput:
    n = channels[0].aht_s.size
    return ModelInput(INTERVAL_S, n, tuple(channels), tuple(teams), arrivals, **kw)


# -- end of duty ----------------------------------------------------------------------------------

TRACES = {
    # roster, arrival times, end of duty, work, patience: the traces of test_end_of_duty.py
    "overtime": ([1, 0, 1, 1], [100.0], "finish_contact", 2000.0, None),
    "hand back": ([1, 0, 1, 1], [100.0], "hand_back", 2000.0, None),
    "idle first": ([2, 1], [10.0], "hand_back", 1500.0, None),
    "busy first": ([2, 1], [10.0], "finish_contact", 1500.0, None),
    "on hold": ([1, 0, 1, 1], [50.0, 60.0], "hand_back", 2000.0, 1000.0),
    "drain": ([1, 0], [100.0], "hand_back", 2000.0, None),
}


@pytest.mark.parametrize("case", TRACES)
def test_end_of_duty_traces_of_the_model(case, same_logs):
    roster, arrivals, end_of_duty, work_s, patience_s = TRACES[case]
    n = len(roster)
    team = TeamSpec("team", ("phone",), np.asarray(roster, float), end_of_duty=end_of_duty)
    inp = _input(
        [_phone(n, work_s, patience_s=patience_s)], [team], {"phone": np.asarray(arrivals)}
    )
    run = same_logs(inp)
    handed = sum(count for _, count in run.model.handed_back)
    assert handed == (1 if case in ("hand back", "on hold", "drain") else 0)
    overtime = run.agents["overtime_agent_s"].sum()
    assert (overtime > 0.0) == (case in ("overtime", "busy first"))


@pytest.mark.parametrize("max_chats", [1, 3])
def test_hand_back_at_every_shift_drop_and_a_drain_at_the_horizon_end(max_chats, same_logs):
    # A roster that drops four times a day and ends at 0 agents: busy agents hand contacts back
    # at each drop (several chats at once with 3), the last ones finish in the drain; a
    # finish_contact team beside it on another channel works overtime instead.
    n = 32
    roster = np.tile([6, 6, 2, 5, 5, 1, 4, 0.0], 4)
    lognormal = Dist("lognormal", 0.9)
    chat = _phone(n, 1500.0, handle=lognormal, patience_s=900.0, name="chat", max_chats=max_chats)
    mail = _phone(n, 1200.0, handle=lognormal, name="mail")
    teams = [
        TeamSpec("web", ("chat",), roster, end_of_duty="hand_back"),
        TeamSpec("desk", ("mail",), roster, end_of_duty="finish_contact"),
    ]
    arrivals = {"chat": _poisson(3.0 * max_chats, n, "chat"), "mail": _poisson(3.0, n, "mail")}
    run = same_logs(_input([chat, mail], teams, arrivals))
    times = [t for t, _ in run.model.handed_back]
    assert len(times) >= 10 and max(times) == (n - 1) * INTERVAL_S
    assert max(count for _, count in run.model.handed_back) == max_chats
    horizon_s = n * INTERVAL_S
    chats = run.contacts[run.contacts["channel"] == "chat"]
    assert ((chats["end_s"] > horizon_s) & (chats["answer_s"] < (n - 1) * INTERVAL_S)).any()
    overtime = run.agents.groupby("team", observed=True)["overtime_agent_s"].sum()
    assert overtime["web"] == 0.0 and overtime["desk"] > 0.0


def test_busy_leavers_hand_back_between_shift_changes(same_logs):
    # A fixed headcount losing agents fast over three days: a busy agent of a hand_back team who
    # leaves the company hands its contact back at once (Pool.dismiss), not at a shift change.
    n = 3 * 96
    roster = np.tile(np.r_[np.zeros(32), np.full(40, 12.0), np.zeros(24)], 3)
    team = TeamSpec(
        "t",
        ("phone",),
        roster,
        headcount=14,
        attrition_per_month_frac=0.99,
        hire_join_s=(86400.0, 90000.0, 2 * 86400.0),
        end_of_duty="hand_back",
    )
    phone = _phone(n, 600.0, handle=Dist("gamma", 0.8), patience_s=400.0)
    run = same_logs(_input([phone], [team], {"phone": _poisson(14.0, n, "phone")}), seed=5)
    between = [t for t, _ in run.model.handed_back if t % INTERVAL_S != 0.0]
    assert between


def test_overtime_per_channel_in_a_blended_team(same_logs):
    n = 16
    roster = np.array([4, 4, 1, 3, 3, 0, 2, 4, 4, 1, 1, 3, 3, 0, 2, 2.0])
    channels = [
        _phone(n, 700.0, handle=Dist(), patience_s=300.0),
        _phone(n, 900.0, handle=Dist("gamma", 0.6), name="chat", max_chats=2),
    ]
    team = TeamSpec("blend", ("phone", "chat"), roster, shrinkage_frac=0.2)
    arrivals = {"phone": _poisson(5.0, n, "phone"), "chat": _poisson(4.0, n, "chat")}
    run = same_logs(_input(channels, [team], arrivals), seed=3)
    overtime = run.agents.groupby("channel", observed=True)["overtime_agent_s"].sum()
    assert (overtime > 0.0).all()


# -- random absence -------------------------------------------------------------------------------


@pytest.mark.parametrize("day_cv", [0.0, 0.5], ids=["binomial", "beta_binomial"])
@pytest.mark.parametrize("headcount", [None, 30], ids=["roster", "fixed"])
def test_random_absence_per_team_and_day(day_cv, headcount, same_logs):
    days, per_day = 4, 24
    n = days * per_day
    roster = np.tile(np.r_[np.zeros(6), np.full(14, 20.0), np.zeros(4)], days)
    streams = Streams(7, 1)
    present, round_u = draw_absence(
        streams.rng("absence", "t"),
        roster,
        intervals_per_day=per_day,
        shrinkage_frac=0.25,
        day_cv=day_cv,
    )
    hires = () if headcount is None else (2 * 86400.0, 2 * 86400.0 + 600.0)

    def team(**absence) -> TeamSpec:
        return TeamSpec(
            "t", ("phone",), roster, shrinkage_frac=0.25, headcount=headcount,
            hire_join_s=hires, end_of_duty="hand_back", **absence,
        )  # fmt: skip

    phone = _phone(n, 400.0, handle=Dist(), patience_s=200.0)
    arrivals = {"phone": _poisson(40.0, n, "phone")}
    drawn = same_logs(
        _input([phone], [team(present_frac=present, round_u=round_u)], arrivals), 7, 1
    )
    fixed_share = same_logs(_input([phone], [team()], arrivals), 7, 1)
    staffed = drawn.agents["staffed_agent_s"].to_numpy().reshape(days, per_day).sum(axis=1)
    usual = fixed_share.agents["staffed_agent_s"].to_numpy().reshape(days, per_day).sum(axis=1)
    assert not np.array_equal(staffed, usual)  # the days' staffing moved with the draws


# -- tier 2 per interval --------------------------------------------------------------------------


def test_tier2_agents_per_interval(same_logs):
    # Tier 2 open all day with 3, 0, 1, 2, ... agents: escalations wait through the interval
    # with none, and the answers differ from a constant tier 2.
    n = 12
    by_interval = np.array([3, 0, 0, 1, 2, 2, 0, 1, 3, 0, 1, 1])
    phone = _phone(
        n, 300.0, handle=Dist(), patience_s=600.0, escalation_frac=np.full(n, 0.4),
        escalation_type="strategic",
    )  # fmt: skip
    team = TeamSpec("t", ("phone",), np.full(n, 4.0))
    arrivals = {"phone": _poisson(10.0, n, "phone")}

    def tier2(agents: int, per_interval: np.ndarray | None) -> Tier2Spec:
        return Tier2Spec(agents, np.ones(n, bool), 1200.0, Dist("lognormal", 0.5), per_interval)

    auto = same_logs(_input([phone], [team], arrivals, tier2=tier2(0, by_interval)), seed=2)
    constant = same_logs(_input([phone], [team], arrivals, tier2=tier2(2, None)), seed=2)
    escalated = auto.contacts[auto.contacts["escalated"]]
    picked_s = escalated["end_s"] + escalated["tier2_response_s"]
    picked = (picked_s // INTERVAL_S).dropna().astype(int)
    assert not (by_interval[picked.clip(upper=n - 1)] == 0).any()  # none picked up with 0 agents
    assert (escalated["end_s"] // INTERVAL_S == 1).any()  # some escalated in the first empty one
    assert not auto.contacts["tier2_response_s"].equals(constant.contacts["tier2_response_s"])


def test_tier2_per_interval_of_the_wrong_length_is_refused_in_one_line():
    from scenarios.errors import InputError
    from sim.compiled import CompiledModel

    n = 4
    team = TeamSpec("t", ("phone",), np.full(n, 1.0))
    tier2 = Tier2Spec(0, np.ones(n, bool), 60.0, agents_by_interval=np.ones(n + 1, np.int64))
    inp = _input([_phone(n, 60.0)], [team], {"phone": np.array([1.0])}, tier2=tier2)
    with pytest.raises(InputError, match="one value per interval") as error:
        CompiledModel(inp, Streams(0, 0))
    assert "\n" not in str(error.value)


# -- paid time ------------------------------------------------------------------------------------


def test_paid_time_of_a_team_hiring_and_training(same_logs):
    # Hires joining production from day 1 after a day and a half of training (two of them
    # starting it before the horizon start), attrition and a cap: the paid roster, training and
    # hires columns are those of sim.paid_time in both engines, replayed from the attrition
    # stream the engines ran.
    n = 3 * 24
    interval_s = 3600.0
    roster = np.tile(np.r_[np.zeros(8), np.full(12, 6.0), np.zeros(4)], 3)
    team = TeamSpec(
        "t",
        ("phone",),
        roster,
        shrinkage_frac=0.2,
        headcount=8,
        hire_join_s=tuple(np.linspace(86400.0, 2.5 * 86400.0, 6)),
        max_headcount=13,
        attrition_per_month_frac=0.6,
    )
    phone = ChannelSpec("phone", True, np.ones(n, bool), np.full(n, 300.0))
    arrivals = arrival_times(np.full(n, 30.0), interval_s, Streams(1, 0).rng("arrivals", "phone"))
    inp = ModelInput(interval_s, n, (phone,), (team,), {"phone": arrivals})
    run = same_logs(inp, seed=1, training_s=1.5 * 86400.0)
    assert run.agents["hires"].sum() > 0
    assert run.agents["training_agent_s"].sum() > 0
    paid_roster_s = roster.sum() * interval_s
    assert not math.isclose(run.agents["paid_agent_s"].sum(), paid_roster_s)  # headcount moved


def test_releases_and_training_dropouts_of_hiring_classes(same_logs):
    # A class of hires with two dropouts during training (paid, never in production) and three
    # releases (ramp-down, last in first out) on a hand_back team: the same logs and paid time
    # in both engines; the releases take agents off the roster and the dropouts are paid.
    n = 3 * 24
    interval_s = 3600.0
    roster = np.tile(np.r_[np.zeros(8), np.full(12, 9.0), np.zeros(4)], 3)
    phone = ChannelSpec("phone", True, np.ones(n, bool), np.full(n, 300.0))
    arrivals = arrival_times(np.full(n, 60.0), interval_s, Streams(1, 0).rng("arrivals", "phone"))

    def run(**workforce):
        team = TeamSpec(
            "t", ("phone",), roster, headcount=8, hire_join_s=(86400.0,) * 3,
            end_of_duty="hand_back", **workforce,
        )  # fmt: skip
        inp = ModelInput(interval_s, n, (phone,), (team,), {"phone": arrivals})
        return same_logs(inp, seed=2, training_s=86400.0).agents

    plain = run()
    ramped = run(
        dropout_s=((0.0, 43200.0), (0.0, 60000.0)),
        release_s=(1.6 * 86400.0, 1.7 * 86400.0, 2.2 * 86400.0),
    )
    day3 = plain["interval_start_s"] >= 2.5 * 86400.0
    assert ramped.loc[day3, "staffed_agent_s"].sum() < plain.loc[day3, "staffed_agent_s"].sum()
    assert ramped["training_agent_s"].sum() > plain["training_agent_s"].sum()
