"""Scenario-level replications: schemas, accounting, links, determinism, workers, CRN."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scenarios.demand import expand
from scenarios.loader import load
from scenarios.log_tables import AGENT_COLUMNS, CONTACT_COLUMNS, OUTAGE_COLUMNS, check_columns
from sim import run_replications, simulate
from sim.build import model_input
from sim.executors import executor
from sim.streams import Streams
from staffing import team_rosters

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"

SMALL = """
name: small
horizon: {start: 2027-03-01, days: 2, interval: 30m}
channels:
  phone:
    kind: realtime
    hours: {all: "08:00-20:00"}
    volume: {per_day: 600}
    handle_time: {mean: 4m, distribution: lognormal, cv: 0.8}
    patience: {mean: 1m}
    fcr: 70%
    repeat: {probability: 60%, delay: {mean: 2h}}
    redial: {probability: 50%, delay: {mean: 5m}}
    escalation: {probability: 10%, type: operational}
    csat: {base: 4.5, per_minute_waited: -0.1, unresolved: -1, response_rate: 50%}
  chat:
    kind: realtime
    hours: {all: "08:00-22:00"}
    volume: {per_day: 400}
    handle_time: {mean: 6m, distribution: gamma, cv: 0.7}
    patience: {mean: 2m}
    concurrency: {max_chats: 2, speed_by_chats: [1.0, 0.7]}
    fcr: 80%
    repeat: {probability: 50%, delay: {mean: 1h}, channel: phone}
  email:
    kind: deferrable
    hours: {mon-fri: "09:00-17:00"}
    volume: {per_day: 200}
    handle_time: {mean: 8m, distribution: exponential}
    escalation: {probability: 20%, type: strategic}
partner:
  name: P
  shrinkage: 20%
  pricing: {per_agent_hour_eur: 30}
  teams:
    - name: voice
      channels: [phone]
      staffing:
        mode: fixed
        headcount: 10
        shifts: [{name: day, days: all, start: "08:00", end: "20:00", share: 100%}]
      hiring: {per_week: 2, start: 2027-03-01, lead_time_weeks: 0.1, training_weeks: 0}
      learning_curve: {aht_multiplier: 1.5, fcr_penalty: 10%, weeks_to_proficiency: 4}
      attrition_per_month: 20%
    - name: digital
      channels: [chat, email]
      staffing:
        mode: fixed
        headcount: 6
        shifts: [{name: day, days: all, start: "08:00", end: "22:00", share: 100%}]
tier2:
  agents: 1
  hours: {all: "09:00-17:00"}
  handle_time: {mean: 20m}
outages:
  scheduled: [{start: 2027-03-01T12:00, end: 2027-03-01T13:00, channels: [chat]}]
  random: [{channels: [phone], mtbf: 1d, mttr: 30m}]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(textwrap.dedent(SMALL))
    scenario = load(path)
    workload = expand(scenario)
    return scenario, workload, team_rosters(scenario, workload)


@pytest.fixture(scope="module")
def small_result(small):
    scenario, workload, rosters = small
    return simulate(scenario, 2, 5, workload=workload, rosters=rosters)


def test_tables_match_the_schemas(small_result):
    check_columns(small_result.contacts, CONTACT_COLUMNS)
    check_columns(small_result.agents, AGENT_COLUMNS)
    check_columns(small_result.outages, OUTAGE_COLUMNS)
    assert (small_result.contacts["replication"] == 2).all()
    assert small_result.contacts["contact_id"].is_unique


def test_agent_log_splits_team_time_and_never_exceeds_it(small, small_result):
    agents = small_result.agents
    assert (agents["busy_agent_s"] <= agents["staffed_agent_s"] + 1e-6).all()
    assert (agents["staffed_agent_s"] <= small[1].interval_s * 16 + 1e-6).all()
    digital = agents[agents["team"] == "digital"]
    assert set(digital["channel"]) == {"chat", "email"}
    assert digital["busy_agent_s"].sum() > 0


def test_every_contact_is_accounted_for(small, small_result):
    scenario, workload, rosters = small
    contacts = small_result.contacts
    arrivals = model_input(scenario, workload, rosters, Streams(5, 2)).arrivals
    first = contacts[contacts["contact_type"] == "first"]
    for name, times in arrivals.items():
        np.testing.assert_array_equal(first.loc[first["channel"] == name, "arrival_s"], times)
    counts = contacts["outcome"].value_counts()
    assert counts.sum() == len(contacts)
    assert set(counts[counts > 0].index) == {"answered", "abandoned", "not_offered", "unfinished"}
    answered = contacts["outcome"] == "answered"
    assert contacts.loc[answered, ["answer_s", "end_s", "handle_s"]].notna().all().all()
    assert (contacts.loc[~answered, "agent_id"] == -1).all()
    assert not contacts.loc[~answered, "resolved_first_contact"].any()


def test_repeats_and_redials_link_to_the_right_parents(small_result):
    contacts = small_result.contacts.set_index("contact_id")
    for kind, outcome in (("repeat", "answered"), ("redial", "abandoned")):
        children = contacts[contacts["contact_type"] == kind]
        assert len(children) > 0
        parents = contacts.loc[children["parent_id"]]
        assert (parents["outcome"] == outcome).all()
        assert (children["arrival_s"].to_numpy() >= parents["end_s"].to_numpy()).all()
    repeats = contacts[contacts["contact_type"] == "repeat"]
    assert not contacts.loc[repeats["parent_id"], "resolved_first_contact"].any()
    from_chat = contacts.loc[repeats["parent_id"], "channel"].to_numpy() == "chat"
    assert (repeats.loc[from_chat, "channel"] == "phone").all()


def test_escalations_reach_tier2_within_its_hours(small_result):
    contacts = small_result.contacts
    escalated = contacts[contacts["escalated"]]
    assert set(escalated["escalation_type"]) == {"operational", "strategic"}
    picked = escalated.dropna(subset=["tier2_response_s"])
    assert len(picked) > 0 and (picked["tier2_response_s"] >= 0).all()
    pickup_s = (picked["end_s"] + picked["tier2_response_s"]) % 86400.0
    assert ((pickup_s >= 9 * 3600.0) & (pickup_s <= 17 * 3600.0)).all()
    assert contacts.loc[~contacts["escalated"], "tier2_response_s"].isna().all()


def test_outages_are_logged_and_their_contacts_not_offered(small_result):
    contacts, outages = small_result.contacts, small_result.outages
    chat = outages[outages["channel"] == "chat"]
    assert chat[["start_s", "end_s"]].to_numpy().tolist() == [[12 * 3600.0, 13 * 3600.0]]
    for row in outages.itertuples():
        inside = contacts[
            (contacts["channel"] == row.channel)
            & (contacts["arrival_s"] >= row.start_s)
            & (contacts["arrival_s"] < row.end_s)
        ]
        assert (inside["outcome"] == "not_offered").all()


def test_same_seed_same_result_and_workers_do_not_matter(small):
    scenario, _, rosters = small
    one = list(run_replications(scenario, 3, 9, rosters=rosters))
    with executor(workers=2) as pool:
        two = list(run_replications(scenario, 3, 9, map_fn=pool, rosters=rosters))
    calls = []

    def recording_map(function, items):
        calls.append(list(items))
        return [function(item) for item in items]

    mapped = list(run_replications(scenario, [2, 0, 1], 9, map_fn=recording_map, rosters=rosters))
    assert calls == [[2, 0, 1]]
    assert [r.replication for r in one] == [0, 1, 2]
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a.contacts, b.contacts)
        pd.testing.assert_frame_equal(a.agents, b.agents)
        pd.testing.assert_frame_equal(a.outages, b.outages)
    pd.testing.assert_frame_equal(mapped[0].contacts, one[2].contacts)
    assert not one[0].contacts.equals(one[1].contacts)


def test_mmn_example_loads_and_simulates():
    scenario = load(EXAMPLES / "mmn.yaml")
    result = simulate(scenario, 0, 1)  # the roster CSV: 35 agents in every interval
    assert len(result.contacts) == pytest.approx(14400, rel=5 * 120 / 14400)
    staffed = result.agents["staffed_agent_s"].sum()
    assert staffed == pytest.approx(35 * 86400.0)


def test_common_random_numbers_shrink_the_variance_of_a_difference(single_queue):
    def mean_wait(agents, seed, r):
        frame = single_queue(agents, 600.0, 180.0, hours=4, seed=seed, replication=r).run()
        return float(frame.log.frame(r, ["phone"])["wait_s"].mean())

    common = [mean_wait(35, 1, r) - mean_wait(36, 1, r) for r in range(15)]
    independent = [mean_wait(35, 1, r) - mean_wait(36, 2, r) for r in range(15)]
    ratio = np.var(common, ddof=1) / np.var(independent, ddof=1)
    # Under equal variances the ratio is F(14, 14); demand it far in the lower tail.
    assert stats.f.cdf(ratio, 14, 14) < 0.001
    assert ratio < 0.2
