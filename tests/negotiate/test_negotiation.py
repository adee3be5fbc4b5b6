"""Money analysis of staffing levels: known answer from Erlang C, best response, requirement,
fair and loss-matching rates, re-pricing without simulation."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from negotiate.pricing import (
    PERIOD_RISK_COLUMNS,
    LossModel,
    PrecisionRule,
    best_response,
    client_requirement,
    cost_curves,
    credit_precise,
    level_kpis,
    period_risks,
    price_levels,
    replications_needed,
    target_clause,
    with_clause,
)
from negotiate.rates import fair_penalty, loss_matching_penalty
from scenarios import load
from scenarios.contract import FixedScheme, LinearScheme
from scenarios.errors import InputError
from sim.levels import run_levels
from staffing import erlang_metrics


def _analytic_margin(curves, files) -> np.ndarray:
    """Margin up to a constant: - labour - r * 100 * (0.99 - SL_ErlangC(N))."""
    sl = erlang_metrics(600.0, 180.0, np.array(files.agents), threshold_s=20.0)["service_level"]
    penalty = files.rate_eur * 100.0 * (0.99 - sl.to_numpy())
    return -curves["labour_cost_eur"].to_numpy() - penalty


def test_labour_cost_is_agents_times_hours(known, files):
    scenario, runs, kpis = known
    curves = cost_curves(
        price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload), ["phone_sl"]
    )
    # 23 measured hours (1 h warm-up) per agent at 30 EUR, exactly, at every level
    expected = np.array(files.agents) * 23.0 * files.labour_eur_per_hour
    assert np.allclose(curves["labour_cost_eur"], expected)


def test_best_response_matches_erlang_c_within_its_ci(known, files):
    scenario, runs, kpis = known
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    curves = cost_curves(priced, ["phone_sl"])
    analytic = _analytic_margin(curves, files)
    analytic_best = int(np.argmax(analytic))
    # the break-even: the 35th agent pays (780 > 690 EUR), the 36th does not (545 < 690)
    assert files.agents[analytic_best] == 35
    best = best_response(priced)
    difference = best["margin_difference_eur"][analytic_best]
    low, high = difference["ci95"]
    assert low <= 0.0 <= high or best["index"] == analytic_best
    # near the optimum the paired simulated margin differences hold the analytic ones
    for index in (analytic_best - 1, analytic_best + 1):
        paired = best["margin_difference_eur"][index]
        gap = analytic[index] - analytic[best["index"]]
        low, high = paired["ci95"]
        slack = 0.25 * abs(gap) + 50.0  # warm-up bias of a one-day run around the optimum
        assert low - slack <= gap <= high + slack


def test_best_response_rises_with_the_penalty(known):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    chosen = []
    for rate in (10.0, 100.0, 400.0):
        contract = with_clause(
            scenario.contract,
            clause,
            penalty=clause.penalty.model_copy(update={"per_point_eur": rate}),
        )
        chosen.append(
            best_response(price_levels(scenario, contract, runs.levels, kpis, runs.workload))[
                "level"
            ]
        )
    assert chosen[0] < chosen[1] < chosen[2]


def test_client_requirement_and_fair_rate(known):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    # a reachable target for the client: 80 % within 20 s on 90 % of days
    relaxed = scenario.model_copy(
        update={"contract": with_clause(scenario.contract, clause, target=0.8)}
    )
    clause = target_clause(relaxed)
    priced = price_levels(relaxed, relaxed.contract, runs.levels, kpis, runs.workload)
    required = client_requirement(priced, clause.id, 0.10)
    assert required is not None
    assert all(money.p_miss(clause.id) <= 0.10 for money in priced[required:])
    assert priced[required - 1].p_miss(clause.id) > 0.10
    fair = fair_penalty(relaxed, runs.levels, kpis, runs.workload, clause, required, 0.10)
    assert fair["found"] and not fair["caps_lifted"] and fair["per_point_eur"] > 0
    assert fair["best_response_level"] >= priced[required].level
    # just below the fair rate the partner staffs below the requirement
    penalty = LinearScheme(scheme="linear", per_point_eur=0.9 * fair["per_point_eur"])
    lower = with_clause(relaxed.contract, clause, penalty=penalty)
    below = best_response(price_levels(relaxed, lower, runs.levels, kpis, runs.workload))
    assert below["level"] < priced[required].level


def test_loss_matching_rate(known, perils_run):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    model = LossModel(per_abandoned_eur=7.0)
    matched = loss_matching_penalty(priced, kpis, clause, "day", len(priced) - 1, model)
    # nobody abandons: the client loses nothing, and the rate matching that is zero
    assert [entry["mean"] for entry in matched["client_loss_eur"]] == [0.0] * len(priced)
    assert matched["per_point_eur"] == 0.0
    assert matched["shortfall_points"][0] > matched["shortfall_points"][-1] > 0
    # a one-day horizon cannot judge FCR: a loss per unresolved contact gives no rate
    unjudged = loss_matching_penalty(
        priced, kpis, clause, "day", len(priced) - 1, LossModel(per_unresolved_eur=1.0)
    )
    assert unjudged["per_point_eur"] is None

    scenario, runs, kpis = perils_run["97.5%"]
    clause = target_clause(scenario)
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    matched = loss_matching_penalty(priced, kpis, clause, "day", 3, model)
    abandoned = [
        table.query("period_kind == 'day' and kpi == 'abandoned'")["value"].sum()
        / table["replication"].nunique()
        for table in kpis
    ]
    losses = [entry["mean"] for entry in matched["client_loss_eur"]]
    assert np.allclose(losses, 7.0 * np.array(abandoned))
    excess = np.array(losses[:3]) - losses[3]
    points = np.array(matched["shortfall_points"][:3])
    assert matched["per_point_eur"] == pytest.approx(excess @ points / (points @ points))
    assert matched["per_point_eur"] > 0


def _lumpy(scenario, percent_of_fee: float):
    """A lumpy credit: ``percent_of_fee`` on a day below 83 %; at 35 agents the mean is near
    83 %, so a day owes it or not about as often."""
    penalty = FixedScheme(scheme="fixed", percent_of_fee=percent_of_fee)
    contract = with_clause(scenario.contract, target_clause(scenario), target=0.83, penalty=penalty)
    return scenario.model_copy(update={"contract": contract})


def test_credit_precision_rule(known):
    scenario, runs, kpis = known
    lumpy = _lumpy(scenario, 0.05)
    contract = lumpy.contract
    index = runs.levels.index(1.0)
    money = price_levels(lumpy, contract, [1.0], [kpis[index]], runs.workload)[0]
    rows = money.per_replication
    credits = rows["credit_eur"]
    assert np.allclose(credits, rows["penalty_eur"] - rows["earned_back_eur"])
    assert 0 < credits.mean() < 5000.0
    half = 2.571 * credits.std(ddof=1) / np.sqrt(len(credits))  # t(0.975, 5)
    limit = max(0.1 * abs(credits.mean()), 500.0)
    assert half > limit and not credit_precise(money)
    table = kpis[index]
    tables = [table[table["replication"] == r] for r in range(len(credits))]
    needed = replications_needed(credits.std(ddof=1), limit)
    assert needed > len(credits)
    assert PrecisionRule(lumpy, runs.workload, max_replications=needed)(1.0, tables) == needed
    # beyond the limit the level gives up: it wants no more than it has
    rule = PrecisionRule(lumpy, runs.workload, max_replications=needed - 1)
    assert rule(1.0, tables) == len(tables)
    # a precise level wants no more; a single replication always wants a second
    steady = price_levels(scenario, scenario.contract, [1.0], [table], runs.workload)[0]
    rule = PrecisionRule(scenario, runs.workload, max_replications=1000)
    assert (rule(1.0, tables) == len(tables)) == credit_precise(steady)
    assert rule(1.0, tables[:1]) == 2


def test_a_lumpy_level_grows_to_its_projected_need_in_one_round(known):
    scenario, runs, _kpis = known
    lumpy = _lumpy(scenario, 0.02)
    rule = PrecisionRule(lumpy, runs.workload, max_replications=200)
    asked = []

    def wanted(level, tables):
        asked.append((len(tables), rule(level, tables)))
        return asked[-1][1]

    grown = run_levels(
        lumpy,
        [1.0],
        seed=runs.seed,
        reduce=functools.partial(level_kpis, lumpy),
        replications=6,
        max_replications=200,
        step=1,
        wanted=wanted,
    )
    tables = grown.reduced[0]
    (start, projected), *later = asked
    # the first 6 are not enough; the next round runs exactly the projected count
    assert start == 6 and 6 < projected < 200 and later[0][0] == projected
    # it stops when the rule wants no more, and the service credit is then precise
    assert asked[-1][0] == asked[-1][1] == len(tables)
    joined = pd.concat(tables, ignore_index=True)
    assert credit_precise(price_levels(lumpy, lumpy.contract, [1.0], [joined], runs.workload)[0])


@pytest.mark.parametrize(
    ("std", "limit"), [(13_850.0, 1_700.0), (1.0, 0.3), (5.0, 100.0), (1_000.0, 500.0)]
)
def test_replications_needed_is_the_first_count_within_the_limit(std, limit):
    def half_width(n):
        return stats.t.ppf(0.975, n - 1) * std / np.sqrt(n)

    needed = replications_needed(std, limit)
    assert needed >= 2 and half_width(needed) <= limit
    assert needed == 2 or half_width(needed - 1) > limit
    with pytest.raises(InputError):
        replications_needed(float("nan"), limit)
    with pytest.raises(InputError):
        replications_needed(std, 0.0)


def test_loss_model_rejects_bad_numbers():
    with pytest.raises(InputError):
        LossModel(per_abandoned_eur=-1.0)
    with pytest.raises(InputError):
        LossModel(churn_frac=1.5)


def test_fair_rate_for_the_clause_alone_when_the_cap_binds(known):
    scenario, runs, kpis = known
    clause = target_clause(scenario)
    # a 100 EUR at-risk cap cannot pay for an agent-day (690 EUR): no rate works as written
    contract = with_clause(scenario.contract, clause, target=0.8)
    capped = scenario.model_copy(
        update={"contract": contract.model_copy(update={"at_risk_cap": 0.001})}
    )
    clause = target_clause(capped)
    priced = price_levels(capped, capped.contract, runs.levels, kpis, runs.workload)
    required = client_requirement(priced, clause.id, 0.10)
    fair = fair_penalty(capped, runs.levels, kpis, runs.workload, clause, required, 0.10)
    uncapped = scenario.model_copy(update={"contract": contract})
    plain = fair_penalty(uncapped, runs.levels, kpis, runs.workload, clause, required, 0.10)
    assert fair["found"] and fair["caps_lifted"] and not plain["caps_lifted"]
    # alone and without a cap, the clause is the known scenario's only clause: the same rate
    assert fair["per_point_eur"] == pytest.approx(plain["per_point_eur"])


@pytest.mark.slow
def test_best_response_is_the_erlang_c_break_even_with_many_replications(tmp_path, files):
    scenario = load(files.known(tmp_path))
    agents = (33, 34, 35, 36, 37)
    levels = [count / files.base for count in agents]
    runs, kpis = files.simulate(scenario, levels, 40)
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    best = best_response(priced)
    assert agents[best["index"]] == 35
    # the neighbours are worse with 95 % confidence
    for index in (1, 3):
        assert best["margin_difference_eur"][index]["ci95"][1] < 0


def test_period_risks_agree_with_the_curves(perils_run):
    scenario, runs, kpis = perils_run["97.5%"]
    priced = price_levels(scenario, scenario.contract, runs.levels, kpis, runs.workload)
    table = period_risks(priced)
    assert tuple(table.columns) == PERIOD_RISK_COLUMNS
    assert len(table) == len(runs.levels)  # one clause, one day
    for money, row in zip(priced, table.itertuples(index=False), strict=True):
        assert row.level == money.level
        assert row.p_miss == pytest.approx(money.p_miss("phone_sl"))
        replications = len(money.per_replication)
        assert row.p_breach == pytest.approx(money.per_replication["breach"].sum() / replications)
