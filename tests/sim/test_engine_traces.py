"""Differential tests of the compiled engine: given the same input and draws, the same logs.

Both engines run one :class:`~sim.specs.ModelInput` on the same :class:`~sim.streams.Streams`;
the compiled engine draws the SimPy model's numbers from the same named streams, so the contact,
agent and outage tables must be equal to the last bit. Each feature has a trace that exercises
it (and checks that it did), and random small inputs combine them all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import InputError
from sim import _compiled_input, compiled
from sim import _compiled_layout as layout
from sim.absence import draw_absence
from sim.agents import Learning, TeamSpec, workforce_events
from sim.arrivals import arrival_times
from sim.compiled import CompiledModel
from sim.log import CONTACT_TYPE_CODE, ESCALATION_CODE, OUTCOME_CODE
from sim.specs import ChannelSpec, CsatSpec, Dist, ModelInput, Retry, Tier2Spec
from sim.streams import Streams

FIXED = Dist("deterministic", 0.0)
LOGNORMAL = Dist("lognormal", 0.8)


def _channel(name: str, n: int, aht_s: float, realtime=True, patience_s=None, **kw):
    """A channel open in every interval unless ``is_open`` says otherwise, with patience of
    mean ``patience_s`` (None: infinitely patient)."""
    kw.setdefault("is_open", np.ones(n, bool))
    patience = None if patience_s is None else np.full(n, float(patience_s))
    return ChannelSpec(name, realtime, aht_s=np.full(n, aht_s), patience_mean_s=patience, **kw)


def _realtime(name: str, n: int, aht_s: float, **kw) -> ChannelSpec:
    return _channel(name, n, aht_s, **kw)


def _deferrable(name: str, n: int, aht_s: float, **kw) -> ChannelSpec:
    return _channel(name, n, aht_s, realtime=False, **kw)


def _poisson(streams: Streams, name: str, per_interval: float, n: int, interval_s: float):
    return arrival_times(np.full(n, per_interval), interval_s, streams.rng("arrivals", name))


def _input(channels, teams, per_interval: dict[str, float], n: int, interval_s=900.0, **kw):
    streams = Streams(11, 0)
    arrivals = {
        name: _poisson(streams, name, rate, n, interval_s) for name, rate in per_interval.items()
    }
    return ModelInput(
        interval_s=interval_s,
        n_intervals=n,
        channels=tuple(channels),
        teams=tuple(teams),
        arrivals=arrivals,
        **kw,
    )


def _counts(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(str).value_counts()


def test_codes_are_the_logs_codes():
    assert tuple(CONTACT_TYPE_CODE.values()) == (layout.FIRST, layout.REPEAT, layout.REDIAL)
    outcomes = (layout.ANSWERED, layout.ABANDONED, layout.NOT_OFFERED, layout.UNFINISHED)
    assert outcomes == tuple(OUTCOME_CODE.values())
    assert ESCALATION_CODE == {"none": 0, "operational": 1, "strategic": 2}


def test_header_places_are_distinct():
    names = [n for n in dir(layout) if n[:2] in ("S_", "X_", "O_") and n.isupper()]
    places = [getattr(layout, n) for n in names]
    places += [layout.X_HEAP_N + h for h in range(1, layout.N_HEAPS)]  # one size per heap
    assert len(places) == len(set(places)) and max(places) < layout.N_HEADER
    floats = [getattr(layout, n) for n in dir(layout) if n.startswith("F_") and n.isupper()]
    assert sorted(floats) == list(range(layout.N_FLOAT_HEADER))


def test_single_agent_with_abandonment_event_by_event(same_logs):
    phone = _realtime("phone", 2, 100.0, handle=FIXED, patience=FIXED, patience_s=60)
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    inp = ModelInput(3600.0, 2, (phone,), (team,), {"phone": np.array([0.0, 10, 50, 300])})
    outcomes = same_logs(inp).contacts["outcome"].astype(str).tolist()
    assert outcomes == ["answered", "abandoned", "answered", "answered"]


def test_chat_concurrency_with_speeds_and_least_loaded_agents(same_logs):
    n = 8
    speeds = (1.0, 0.75, 0.6)
    chat = _realtime("chat", n, 480.0, patience_s=120, max_chats=3, speed_by_chats=speeds)
    team = TeamSpec(name="t", channels=("chat",), scheduled=np.array([3, 3, 4, 4, 2, 2, 3, 3.0]))
    frame = same_logs(_input([chat], [team], {"chat": 25.0}, n), seed=3).contacts
    answered = frame[frame["outcome"] == "answered"].sort_values("answer_s")
    # some agent held three chats at once: a start while two earlier ones were still going
    overlaps = [
        ((answered["agent_id"] == row.agent_id) & (answered["answer_s"] <= row.answer_s)
         & (answered["end_s"] > row.answer_s)).sum()
        for row in answered.itertuples()
    ]  # fmt: skip
    assert max(overlaps) == 3
    assert _counts(frame, "outcome")["abandoned"] > 0


def test_blended_pool_serves_channels_in_priority_order_with_chat_in_the_blend(same_logs):
    n = 8
    phone = _realtime("phone", n, 240.0, handle=LOGNORMAL, patience_s=90.0)
    chat = _realtime("chat", n, 300.0, max_chats=2, speed_by_chats=(1.0, 0.7))
    email = _deferrable("email", n, 400.0)
    team = TeamSpec(name="t", channels=("phone", "chat", "email"), scheduled=np.full(n, 4.0))
    inp = _input([email, chat, phone], [team], {"phone": 20.0, "chat": 10.0, "email": 8.0}, n)
    frame = same_logs(inp, seed=5).contacts
    assert set(frame.loc[frame["outcome"] == "answered", "channel"].astype(str)) == {
        "phone",
        "chat",
        "email",
    }


def test_backlog_waits_for_business_hours_and_blends_with_a_realtime_queue(same_logs):
    n = 12
    is_open = np.array([False, False, True, True, True, False, False, True, True, True, True, 0])
    email = _deferrable("email", n, 500.0, is_open=is_open.astype(bool), handle=Dist("gamma", 0.7))
    social = _deferrable("social", n, 200.0)
    phone = _realtime("phone", n, 200.0, patience_s=60.0)
    back = TeamSpec(name="back", channels=("social", "email"), scheduled=np.full(n, 2.0))
    voice = TeamSpec(name="voice", channels=("phone",), scheduled=np.full(n, 3.0))
    inp = _input(
        [phone, email, social], [voice, back], {"email": 12.0, "social": 4.0, "phone": 10.0}, n
    )
    frame = same_logs(inp, seed=2).contacts
    email_rows = frame[frame["channel"] == "email"]
    assert (email_rows["business_wait_s"] < email_rows["wait_s"]).any()
    assert (email_rows["outcome"] == "unfinished").any()


def test_repeats_to_another_channel_and_redials(same_logs):
    n = 10
    phone = _realtime(
        "phone",
        n,
        300.0,
        handle=LOGNORMAL,
        patience_s=45.0,
        patience=Dist("lognormal", 1.2),
        fcr_frac=np.full(n, 0.5),
        repeat=Retry(0.8, 1200.0, Dist("exponential")),
        redial=Retry(0.6, 300.0, Dist("gamma", 0.5)),
    )
    to_phone = Retry(0.9, 1800.0, FIXED, channel="phone")
    social = _deferrable("social", n, 200.0, fcr_frac=np.full(n, 0.4), repeat=to_phone)
    teams = [
        TeamSpec(name="voice", channels=("phone",), scheduled=np.full(n, 3.0)),
        TeamSpec(name="web", channels=("social",), scheduled=np.full(n, 1.0)),
    ]
    frame = same_logs(
        _input([phone, social], teams, {"phone": 18.0, "social": 5.0}, n), seed=4
    ).contacts
    by_id = frame.set_index("contact_id")
    repeats = by_id[by_id["contact_type"] == "repeat"]
    parents = by_id.loc[repeats["parent_id"], "channel"].astype(str)
    assert {"phone", "social"} <= set(parents)
    assert (by_id["contact_type"] == "redial").sum() > 0


def test_tier2_escalations_within_its_hours_csat_and_learning(same_logs):
    n = 8
    csat = CsatSpec(base=4.5, per_minute_waited=-0.2, unresolved=-1.0, escalated=-0.4,
                response_rate_frac=0.6)  # fmt: skip
    phone = _realtime(
        "phone",
        n,
        240.0,
        escalation_frac=np.full(n, 0.3),
        escalation_type="strategic",
        fcr_frac=np.full(n, 0.7),
        csat=csat,
        patience_s=300.0,
    )
    team = TeamSpec(
        name="t",
        channels=("phone",),
        scheduled=np.full(n, 4.0),
        headcount=4,
        hire_join_s=(1000.0, 2000.0),
        learning=Learning(1.5, 0.2, 0.01),
    )
    tier2 = Tier2Spec(2, np.array([0, 1, 1, 0, 0, 1, 1, 1], bool), 1500.0, Dist("lognormal", 0.5))
    frame = same_logs(_input([phone], [team], {"phone": 30.0}, n, tier2=tier2), seed=6).contacts
    assert frame["tier2_response_s"].notna().sum() > 0
    assert frame["csat_score"].notna().sum() > 0
    assert frame["escalation_type"].astype(str).isin(["none", "strategic"]).all()


@pytest.mark.parametrize("queue", [False, True])
def test_outages_overlapping_on_one_channel(queue, same_logs):
    n = 8
    phone = _realtime("phone", n, 200.0, patience_s=600.0)
    chat = _realtime("chat", n, 300.0, max_chats=2, speed_by_chats=(1.0, 0.5))
    team = TeamSpec(name="t", channels=("chat", "phone"), scheduled=np.full(n, 3.0))
    outages = (
        ("phone", 1000.0, 2500.0),
        ("phone", 2000.0, 3000.0),
        ("chat", 2000.0, 4000.0),
        ("phone", 7000.0, 9000.0),  # past the horizon end: cut at 7200 in the outage log
    )
    inp = _input(
        [phone, chat], [team], {"phone": 15.0, "chat": 8.0}, n, outages=outages, outage_queue=queue
    )
    frame = same_logs(inp, seed=7).contacts
    assert ("not_offered" in set(frame["outcome"].astype(str))) is not queue


def test_shift_changes_shrinkage_and_agents_finishing_after_their_shift(same_logs):
    n = 12
    phone = _realtime("phone", n, 600.0, handle=LOGNORMAL, patience_s=120.0)
    scheduled = np.array([0, 2, 5, 5, 1, 0, 3, 6, 6, 2, 2, 4.0])
    team = TeamSpec(name="t", channels=("phone",), scheduled=scheduled, shrinkage_frac=0.25)
    run = same_logs(_input([phone], [team], {"phone": 12.0}, n), seed=8)
    answered = run.contacts[run.contacts["outcome"] == "answered"]
    ends = answered["end_s"] // 900.0
    assert (scheduled[ends.astype(int).clip(0, n - 1)] == 0).any()  # handled into an empty slot
    assert run.agents["overtime_agent_s"].sum() > 0.0


def test_hires_attrition_max_headcount_and_learning_over_days(same_logs):
    n, interval_s = 72, 3600.0
    phone = _realtime("phone", n, 300.0, fcr_frac=np.full(n, 0.8), patience_s=200)
    team = TeamSpec(
        name="t",
        channels=("phone",),
        scheduled=np.tile(np.r_[np.zeros(8), np.full(12, 8.0), np.zeros(4)], 3),
        shrinkage_frac=0.1,
        headcount=20,
        hire_join_s=tuple(np.linspace(3600.0, 60 * 3600.0, 12).tolist()),
        max_headcount=24,
        attrition_per_month_frac=0.99,
        learning=Learning(1.4, 0.1, 1.0),
    )
    inp = _input([phone], [team], {"phone": 40.0}, n, interval_s=interval_s)
    run = same_logs(inp, seed=9, training_s=2 * 86400.0)
    assert run.contacts["agent_id"].max() >= 20  # hires answered contacts
    assert run.agents["hires"].sum() > 0 and run.agents["training_agent_s"].sum() > 0
    events = workforce_events(team, Streams(9, 0).rng("attrition", "t"), n * interval_s)
    assert any(kind == -1 for _, kind, _ in events)  # and some agents left


def test_a_run_outgrowing_every_initial_array(monkeypatch, same_logs):
    # 6,000 calls in the first quarter hour, all unresolved and escalated, each repeating once
    # three hours later, and nothing drawn ahead: the run asks for retry draws, tier-2 handle
    # times and calendar places (more than 4096 repeats wait at once) again and again.
    monkeypatch.setattr(_compiled_input, "_retry_estimate", lambda inp, first: ([0], 0))
    statuses = []

    def grown(m, status, supply):
        statuses.append(status)
        return _compiled_input.grown(m, status, supply)

    monkeypatch.setattr(compiled, "grown", grown)
    n = 16
    phone = _realtime(
        "phone",
        n,
        30.0,
        handle=FIXED,
        fcr_frac=np.zeros(n),
        escalation_frac=np.ones(n),
        repeat=Retry(1.0, 3 * 3600.0, FIXED),
    )
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.full(n, 200.0))
    tier2 = Tier2Spec(50, np.ones(n, bool), 60.0)
    arrivals = {"phone": np.sort(np.random.default_rng(1).uniform(0.0, 900.0, 6000))}
    frame = same_logs(ModelInput(900.0, n, (phone,), (team,), arrivals, tier2=tier2)).contacts
    assert (frame["contact_type"] == "repeat").sum() > 4096
    assert {layout.NEED_RETRY, layout.NEED_T2, layout.NEED_HEAP} <= set(statuses)


def _random_input(seed: int) -> ModelInput:
    """A random small input mixing every feature (teams, channels, hires, end of duty, random
    absence, outages, tier 2 with a constant or per-interval number of agents)."""
    rng = np.random.default_rng(seed)
    n, interval_s = int(rng.integers(4, 30)), float(rng.choice([900.0, 3600.0, 1234.5]))
    names = [f"c{k}" for k in range(int(rng.integers(1, 4)))]
    dists = [Dist(), FIXED, LOGNORMAL, Dist("gamma", 1.3)]
    channels = []
    for name in names:
        realtime = bool(rng.random() < 0.7)
        chats = int(rng.integers(1, 4)) if realtime and rng.random() < 0.4 else 1
        speeds = tuple(np.r_[1.0, np.sort(rng.uniform(0.4, 1.0, chats - 1))[::-1]].tolist())
        patience = realtime and rng.random() < 0.7
        retry = [Retry(float(rng.random()), float(rng.uniform(60, 4000)), dists[k % 4])
                 for k in rng.integers(0, 4, 2)]  # fmt: skip
        channels.append(
            ChannelSpec(
                name=name,
                realtime=realtime,
                is_open=rng.random(n) < (0.85 if realtime else 0.6),
                aht_s=rng.uniform(60.0, 600.0, n),
                handle=dists[int(rng.integers(0, 4))],
                patience_mean_s=rng.uniform(20.0, 400.0, n) if patience else None,
                patience=dists[int(rng.integers(0, 4))] if patience else Dist(),
                fcr_frac=rng.uniform(0.3, 1.0, n) if rng.random() < 0.7 else None,
                escalation_frac=rng.uniform(0.0, 0.3, n) if rng.random() < 0.5 else None,
                escalation_type=str(rng.choice(["operational", "strategic"])),
                max_chats=chats,
                speed_by_chats=speeds,
                repeat=Retry(
                    retry[0].probability_frac,
                    retry[0].delay_mean_s,
                    retry[0].delay,
                    str(rng.choice(names)),
                )
                if rng.random() < 0.5
                else None,
                redial=retry[1] if patience and rng.random() < 0.6 else None,
                csat=CsatSpec(4.0, -0.1, -1.0, -0.5, 0.5) if rng.random() < 0.5 else None,
            )
        )
    order = list(rng.permutation(names))
    cut = int(rng.integers(1, len(order) + 1))
    teams = []
    for k, group in enumerate([order[:cut], order[cut:]]):
        if not group:
            continue
        fixed = rng.random() < 0.5
        scheduled = rng.integers(0, 6, n).astype(float)
        shrinkage = float(rng.choice([0.0, 0.3]))
        present = round_u = None
        if rng.random() < 0.4:  # random absence, binomial or beta-binomial, on days of n / days
            days = int(rng.choice([d for d in range(1, n + 1) if n % d == 0]))
            shrinkage = 0.3
            present, round_u = draw_absence(
                rng,
                scheduled,
                intervals_per_day=n // days,
                shrinkage_frac=shrinkage,
                day_cv=float(rng.choice([0.0, 0.5])),
            )
        teams.append(
            TeamSpec(
                name=f"team{k}",
                channels=tuple(group),
                scheduled=scheduled,
                shrinkage_frac=shrinkage,
                headcount=int(rng.integers(1, 8)) if fixed else None,
                hire_join_s=tuple(np.sort(rng.uniform(-3600, n * interval_s, 3)).tolist())
                if fixed
                else (),
                max_headcount=int(rng.integers(3, 9)) if fixed and rng.random() < 0.5 else None,
                attrition_per_month_frac=float(rng.choice([0.0, 0.9])) if fixed else 0.0,
                learning=Learning(1.5, 0.2, 0.05) if fixed and rng.random() < 0.5 else None,
                end_of_duty=str(rng.choice(["finish_contact", "hand_back"])),
                present_frac=present,
                round_u=round_u,
            )
        )
    horizon_s = n * interval_s
    starts = rng.uniform(0.0, horizon_s, int(rng.integers(0, 4)))
    outages = tuple(
        (str(rng.choice(names)), float(s), float(s + rng.uniform(60.0, 7200.0))) for s in starts
    )
    tier2 = Tier2Spec(
        int(rng.integers(1, 3)),
        rng.random(n) < 0.7,
        float(rng.uniform(60, 3000)),
        agents_by_interval=rng.integers(0, 4, n) if rng.random() < 0.5 else None,
    )
    streams = Streams(seed, 0)
    rates = {name: float(rng.uniform(1.0, 40.0)) * interval_s / 3600.0 for name in names}
    return ModelInput(
        interval_s=interval_s,
        n_intervals=n,
        channels=tuple(channels),
        teams=tuple(teams),
        arrivals={k: _poisson(streams, k, rate, n, interval_s) for k, rate in rates.items()},
        tier2=tier2 if rng.random() < 0.5 else None,
        outages=outages,
        outage_queue=bool(rng.random() < 0.5),
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_inputs_give_the_same_logs(seed, same_logs):
    same_logs(_random_input(seed), seed=seed, replication=seed % 3, training_s=3600.0)


def test_random_inputs_exercise_every_feature(same_logs):
    """The random inputs above do combine the features: over the 40 seeds some teams hand
    contacts back (chats among them), work overtime, draw absence, tier 2 changes by interval."""
    inputs = [_random_input(seed) for seed in range(40)]
    teams = [team for inp in inputs for team in inp.teams]
    assert {team.end_of_duty for team in teams} == {"finish_contact", "hand_back"}
    assert sum(team.present_frac is not None for team in teams) >= 5
    assert sum(inp.tier2 is not None and inp.tier2.agents_by_interval is not None
               for inp in inputs) >= 5  # fmt: skip
    runs = [same_logs(inp, seed=seed, replication=seed % 3) for seed, inp in enumerate(inputs[:12])]
    handed = [h for run in runs for h in run.model.handed_back]
    assert len(handed) >= 10 and max(count for _, count in handed) > 1
    assert sum(run.agents["overtime_agent_s"].sum() > 0 for run in runs) >= 3


def test_an_input_without_intervals_is_refused_in_one_line():
    phone = _realtime("phone", 0, 100.0)
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.zeros(0))
    inp = ModelInput(900.0, 0, (phone,), (team,), {})
    with pytest.raises(InputError, match="at least one interval") as error:
        CompiledModel(inp, Streams(0, 0))
    assert "\n" not in str(error.value)


def test_one_compiled_signature_serves_every_input():
    from sim._compiled_kernels import run

    for seed in (1, 2):
        CompiledModel(_random_input(seed), Streams(seed, 0)).run()
    assert len(run.signatures) == 1
