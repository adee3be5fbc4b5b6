"""Tiny deterministic scenarios checked event by event (fixed arrivals and handle times)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scenarios.log_tables import AGENT_COLUMNS, CONTACT_COLUMNS, check_columns
from sim.log import agent_frame
from sim.model import ContactCentre
from sim.specs import ChannelSpec, CsatSpec, Dist, ModelInput, TeamSpec, Tier2Spec
from sim.streams import Streams

FIXED = Dist("deterministic", 0.0)
NAN = math.nan


def _run(channels, teams, arrivals, n=2, interval_s=3600.0, **kwargs) -> ContactCentre:
    inp = ModelInput(
        interval_s=interval_s,
        n_intervals=n,
        channels=tuple(channels),
        teams=tuple(teams),
        arrivals={k: np.asarray(v, float) for k, v in arrivals.items()},
        **kwargs,
    )
    return ContactCentre(inp, Streams(0, 0)).run()


def _phone(name="phone", aht_s=100.0, patience_s=None, n=2, **kw) -> ChannelSpec:
    return ChannelSpec(
        name=name,
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, aht_s),
        handle=FIXED,
        patience=FIXED,
        patience_mean_s=None if patience_s is None else np.full(n, patience_s),
        **kw,
    )


def _rows(model: ContactCentre, names=("phone",)) -> list[tuple]:
    frame = model.log.frame(0, list(names))
    check_columns(frame, CONTACT_COLUMNS)
    return list(
        frame[["channel", "arrival_s", "answer_s", "end_s", "wait_s", "outcome"]]
        .astype({"channel": str, "outcome": str})
        .itertuples(index=False, name=None)
    )


def _same(got: list[tuple], expected: list[tuple]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0] and g[-1] == e[-1], (g, e)
        np.testing.assert_allclose(g[1:-1], e[1:-1], equal_nan=True, err_msg=str((g, e)))


def test_single_agent_with_abandonment_event_by_event():
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    model = _run([_phone(patience_s=60.0)], [team], {"phone": [0, 10, 50, 300]})
    _same(
        _rows(model),
        [
            ("phone", 0, 0, 100, 0, "answered"),
            ("phone", 10, NAN, 70, 60, "abandoned"),  # patience 60 s runs out at 70
            ("phone", 50, 100, 200, 50, "answered"),  # agent free at 100, before 50 + 60
            ("phone", 300, 300, 400, 0, "answered"),
        ],
    )


def test_blended_pool_serves_channels_in_priority_order():
    team = TeamSpec(name="t", channels=("phone", "chat"), scheduled=np.ones(2))
    chat = _phone("chat", aht_s=50.0)
    model = _run([_phone(), chat], [team], {"phone": [0, 30], "chat": [20]})
    # At 100 both a chat (since 20) and a phone call (since 30) wait: phone has priority.
    _same(
        _rows(model, ("phone", "chat")),
        [
            ("phone", 0, 0, 100, 0, "answered"),
            ("chat", 20, 200, 250, 180, "answered"),
            ("phone", 30, 100, 200, 70, "answered"),
        ],
    )


def test_chat_concurrency_replans_progress_on_every_change():
    chat = _phone("chat", max_chats=2, speed_by_chats=(1.0, 0.5))
    team = TeamSpec(name="t", channels=("chat",), scheduled=np.ones(2))
    model = _run([chat], [team], {"chat": [0, 20, 30]})
    # 0-20 A alone: 20 s of work done. From 20 two chats at speed 0.5: A's remaining 80 s
    # take 160 s -> A ends at 180, when B has 20 s left. C waits (agent full) until 180,
    # then runs at 0.5 with B: B's 20 s take 40 s -> ends at 220, C has done 20 by then and
    # its remaining 80 s run alone at speed 1 -> ends at 300.
    _same(
        _rows(model, ("chat",)),
        [
            ("chat", 0, 0, 180, 0, "answered"),
            ("chat", 20, 20, 220, 0, "answered"),
            ("chat", 30, 180, 300, 150, "answered"),
        ],
    )


def test_deferrable_backlog_waits_for_opening_and_counts_business_hours():
    email = ChannelSpec(
        name="email",
        realtime=False,
        is_open=np.array([False, True, True]),
        aht_s=np.full(3, 600.0),
        handle=FIXED,
    )
    team = TeamSpec(name="t", channels=("email",), scheduled=np.ones(3))
    model = _run([email], [team], {"email": [100, 200]}, n=3)
    frame = model.log.frame(0, ["email"])
    np.testing.assert_allclose(frame["answer_s"], [3600, 4200])
    np.testing.assert_allclose(frame["wait_s"], [3500, 4000])
    np.testing.assert_allclose(frame["business_wait_s"], [0, 600])


def test_agent_finishes_contact_in_hand_after_shift_and_agent_time_is_logged():
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.array([1.0, 0.0]))
    model = _run([_phone(aht_s=200.0)], [team], {"phone": [3500, 3550]})
    _same(
        _rows(model),
        [
            ("phone", 3500, 3500, 3700, 0, "answered"),
            ("phone", 3550, NAN, NAN, 7200 - 3550, "unfinished"),
        ],
    )
    pool = model.pools[0]
    usage = [(pool.name, ("phone",), pool.staffed, pool.busy, pool.overtime)]
    agents = agent_frame(0, 3600.0, usage)
    check_columns(agents, AGENT_COLUMNS)
    np.testing.assert_allclose(agents["staffed_agent_s"], [3600, 100])
    np.testing.assert_allclose(agents["busy_agent_s"], [100, 100])


def test_closed_interval_and_outage_make_realtime_contacts_not_offered():
    phone = ChannelSpec(
        name="phone",
        realtime=True,
        is_open=np.array([True, False]),
        aht_s=np.full(2, 10.0),
        handle=FIXED,
    )
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    model = _run([phone], [team], {"phone": [100, 1000, 4000]}, outages=(("phone", 900.0, 1100.0),))
    outcomes = model.log.frame(0, ["phone"])["outcome"].astype(str).tolist()
    assert outcomes == ["answered", "not_offered", "not_offered"]


def test_outage_with_queueing_holds_contacts_until_the_channel_is_back():
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    model = _run(
        [_phone(aht_s=10.0)],
        [team],
        {"phone": [1000]},
        outages=(("phone", 900.0, 1100.0),),
        outage_queue=True,
    )
    _same(_rows(model), [("phone", 1000, 1100, 1110, 100, "answered")])


def test_frame_dtypes_and_order_with_no_contacts():
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    frame = _run([_phone()], [team], {}).log.frame(3, ["phone"])
    check_columns(frame, CONTACT_COLUMNS)
    assert frame.empty and isinstance(frame["channel"].dtype, pd.CategoricalDtype)


def test_csat_score_follows_its_formula():
    survey = CsatSpec(base=4.5, per_minute_waited=-0.6, unresolved=-1.0, escalated=-0.5)
    phone = _phone(csat=survey, fcr_frac=np.zeros(2), escalation_frac=np.ones(2))
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.ones(2))
    frame = _run([phone], [team], {"phone": [0, 40]}).log.frame(0, ["phone"])
    # waits 0 and 60 s; never resolved, always escalated: 4.5 - 1 - 0.5 = 3.0, then 3.0 - 0.6
    np.testing.assert_allclose(frame["csat_score"], [3.0, 2.4])
    assert frame["escalated"].all() and not frame["resolved_first_contact"].any()


def test_tier2_serves_escalations_fifo_within_its_hours():
    phone = _phone(aht_s=10.0, escalation_frac=np.ones(3), n=3)
    team = TeamSpec(name="t", channels=("phone",), scheduled=np.full(3, 2.0))
    tier2 = Tier2Spec(
        agents=1, is_open=np.array([False, True, True]), handle_mean_s=1000.0, handle=FIXED
    )
    model = _run([phone], [team], {"phone": [100, 200, 3700]}, n=3, tier2=tier2)
    frame = model.log.frame(0, ["phone"])
    # Escalated at 110, 210 and 3710; tier 2 opens at 3600 and takes them one by one
    # (1000 s each): pick-ups at 3600, 4600 and 5600.
    np.testing.assert_allclose(frame["tier2_response_s"], [3490, 4390, 1890])


def test_adding_a_channel_leaves_the_other_channels_customers_unchanged():
    n = 3
    phone = ChannelSpec(
        name="phone",
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, 180.0),
        patience_mean_s=np.full(n, 60.0),
        fcr_frac=np.full(n, 0.7),
    )
    chat = ChannelSpec(
        name="chat", realtime=True, is_open=np.ones(n, bool), aht_s=np.full(n, 300.0)
    )
    voice = TeamSpec(name="voice", channels=("phone",), scheduled=np.full(n, 3.0))
    digital = TeamSpec(name="digital", channels=("chat",), scheduled=np.full(n, 2.0))
    arrivals = {"phone": np.linspace(0, 3 * 3600 - 1, 200), "chat": np.linspace(5, 10000, 50)}

    def phone_rows(channels, teams):
        inp = ModelInput(
            interval_s=3600.0,
            n_intervals=n,
            channels=channels,
            teams=teams,
            arrivals={c.name: arrivals[c.name] for c in channels},
        )
        frame = ContactCentre(inp, Streams(4, 1)).run().log.frame(1, [c.name for c in channels])
        frame = frame[frame["channel"] == "phone"].reset_index(drop=True)
        return frame.drop(columns=["contact_id", "parent_id", "channel"])

    alone = phone_rows((phone,), (voice,))
    together = phone_rows((chat, phone), (digital, voice))
    pd.testing.assert_frame_equal(alone.drop(columns="agent_id"), together.drop(columns="agent_id"))
