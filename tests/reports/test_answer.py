"""The answer of a run (reports.answer, reports.what_if, reports.drivers,
sla_eval.shifted_risk): on the short baseline of the conftest, whose Easter Monday closes the
back office, and on hand-made contract rows."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from reports.answer import answer_sentences, answer_table, run_answer
from reports.run_report import write_report
from reports.view_figures import staffing_risk_figure
from scenarios.loader import load
from sla_eval.shifted_risk import shifted_p_breach
from tests.reports.conftest import BASELINE, CHROMIUM, SEED, chromium

EASTER_MONDAY = "Mon 29 Mar"


@pytest.fixture(scope="module")
def answer(run, summary):
    return run_answer(run["scenario"], run["plan"], run["kpis"], run["evaluation"], summary)


def test_the_driver_is_the_clause_with_the_largest_penalty(answer, summary):
    clauses = summary["contract"]["clauses"]
    penalties = {key: entry["expected_penalty_eur"] or 0.0 for key, entry in clauses.items()}
    assert max(penalties.values()) > 0, "the closed Easter Monday must cost a penalty"
    assert answer.driver.clause.id == max(penalties, key=penalties.get)
    assert answer.driver.p_breach == clauses[answer.driver.clause.id]["p_breach"]


def test_the_reasons_come_from_the_calendar(answer):
    driver = answer.driver
    assert driver.clause.channel == "email"
    days = {f"{cause.day:%a %d %b}": cause.reasons for cause in driver.days}
    assert EASTER_MONDAY in days or "Tue 30 Mar" in days
    if EASTER_MONDAY in days:
        assert any("a closed day of the horizon" in reason for reason in days[EASTER_MONDAY])
    if "Tue 30 Mar" in days:
        assert any(f"backlog of the closed {EASTER_MONDAY}" in r for r in days["Tue 30 Mar"])
    assert sum(cause.share for cause in driver.days) <= 1.0 + 1e-9


def test_the_riskiest_week_names_the_replications_its_risk_is_measured_on(run, summary, answer):
    # A run keeps the day and week rows of its first replications only (sla_eval.replication.
    # VIEW_ROWS): the weekly P(miss) then says how many replications it reads.
    assert "of replications)" in " ".join(answer_sentences(answer))
    kpis = run["kpis"]
    later = (kpis["replication"] == kpis["replication"].max()) & kpis["period_kind"].isin(
        ["day", "week"]
    )
    fewer = run_answer(run["scenario"], run["plan"], kpis[~later], run["evaluation"], summary)
    first = summary["replications"] - 1
    assert fewer.driver.week[4] == first
    assert f"of the first {first} replications)" in " ".join(answer_sentences(fewer))


def test_a_scenario_without_the_closed_day_names_no_closed_day(run):
    scenario = load(BASELINE, overrides=["horizon.start=2027-03-25", "horizon.closed_days=[]"])
    import datetime as dt

    from reports.drivers import day_reasons
    from scenarios import expand

    reasons = day_reasons(
        scenario, expand(scenario), run["plan"], run["kpis"], "email", dt.date(2027, 3, 30)
    )
    assert not any("closed" in reason for reason in reasons)


def test_the_what_if_moves_p_breach_the_right_way(answer, summary):
    clauses = summary["contract"]["clauses"]
    for entry in answer.what_if.clauses:
        simulated = clauses[entry.clause]["p_breach"]
        assert entry.p_breach[0] == pytest.approx(simulated)
        assert entry.plus_one[0] <= entry.p_breach[0] <= entry.minus_one[0]
        if entry.factor is not None:
            assert entry.factor_p_breach[0] <= answer.what_if.level
            assert (entry.factor > 1.0) == (entry.p_breach[0] > answer.what_if.level)
    driver = {entry.clause: entry for entry in answer.what_if.clauses}[answer.driver.clause.id]
    slack = [entry for entry in answer.what_if.clauses if entry.p_breach[0] <= 0.1]
    assert slack and all(entry.factor is not None and entry.factor < 1.0 for entry in slack)
    if driver.factor is None:  # the closed day: no staffing clears its backlog in time
        assert driver.factor_p_breach is None
        assert "no staffing factor of the range searched" in " ".join(answer_sentences(answer))
    assert answer.what_if.screens <= 1 + 2 * 3 + 5 * (2 * 8 + 2)
    assert "uptime" not in {entry.clause for entry in answer.what_if.clauses}


def test_the_table_holds_every_clause_and_the_totals(answer, summary):
    _, rows = answer_table(answer)
    contract = summary["contract"]
    assert rows[0][0] == f"{answer.driver.clause.id} (driver)"
    assert [row[0].split(" ")[0] for row in rows[:-1]] == sorted(
        contract["clauses"], key=lambda key: key != answer.driver.clause.id
    )
    for row in rows[:-1]:
        entry = contract["clauses"][row[0].split(" ")[0]]
        if entry["p_breach"] is not None:
            assert row[3][0] == f"{100 * entry['p_breach']:.0f}\u00a0%"
            low, high = entry["p_breach_ci95"]
            assert row[3][1] == f"[{100 * low:.0f}\u00a0%, {100 * high:.0f}\u00a0%]"
    assert rows[-1][4][0] == f"{contract['net_credit_eur']['mean']:,.0f}"
    lead = answer_sentences(answer)[0]
    assert f"{contract['client_cost_eur']['mean']:,.0f} EUR" in lead


def test_shifted_p_breach_counts_replications_with_a_moved_breach(answer):
    clause = answer.scenario.contract.clauses[0]
    rows = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1, 2, 2],
            "period": [0, 1, 0, 1, 0, 1],
            "clause": clause.id,
            "value": [0.79, 0.85, 0.81, 0.70, 0.90, 0.90],
            "applicable": True,
            "relieved": [False, False, False, True, False, False],
        }
    )
    assert clause.kpi == "service_level" and clause.target == 0.8
    p, low, high = shifted_p_breach(rows, clause, {})
    assert p == pytest.approx(1 / 3)  # replication 1's miss is relieved
    assert low < p < high
    assert shifted_p_breach(rows, clause, {0: 0.02})[0] == 0.0
    assert shifted_p_breach(rows, clause, {0: -0.1})[0] == pytest.approx(2 / 3)
    assert shifted_p_breach(rows, clause, {1: -0.2})[0] == pytest.approx(2 / 3)  # 0 and 2
    assert np.isnan(shifted_p_breach(rows.iloc[:0], clause, {})[0])


_FOLD_PROBE = (
    '<script>addEventListener("load", () => { const t = document.getElementById('
    '"answer-table").getBoundingClientRect(); document.body.setAttribute("data-answer", '
    'Math.round(t.top) + "," + Math.round(t.bottom) + "," + Math.round(t.right)); });'
    "</script></body>"
)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_answer_table_is_above_the_fold_at_1280_px(run, summary, answer, tmp_path):
    report = write_report(
        tmp_path / "report.html", **run, seed=SEED, summary=summary, answer=answer
    )
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", _FOLD_PROBE), encoding="utf-8")
    dom = chromium(
        "--window-size=1280,900", "--dump-dom", probe.as_uri(), profile=tmp_path / "profile"
    ).stdout
    top, bottom, right = map(int, re.search(r'data-answer="(-?\d+),(\d+),(\d+)"', dom).groups())
    assert 0 < top < bottom <= 900 and right <= 1280
    table = dom.split('id="answer-table"')[1].split("</table>")[0]
    contract = summary["contract"]
    assert f"{contract['net_credit_eur']['mean']:,.0f}" in table
    assert f"{answer.driver.clause.id} (driver)" in table
    for key, entry in contract["clauses"].items():
        assert f"<td>{key}" in table
        if entry["p_breach"] is not None:
            low, high = entry["p_breach_ci95"]
            assert f"[{100 * low:.0f}\u00a0%, {100 * high:.0f}\u00a0%]" in table.replace(
                "&nbsp;", "\u00a0"
            )


def test_the_staffing_curve_is_drawn_as_computed(answer, summary):
    curve = answer.what_if.curve
    clauses = summary["contract"]["clauses"]
    at_one = curve[curve["factor"] == 1.0].set_index("clause")["p_breach"]
    for clause, p in at_one.items():
        assert p == pytest.approx(clauses[clause]["p_breach"])
    for _, own in curve.groupby("clause"):
        assert np.all(np.diff(own.sort_values("factor")["p_breach"].to_numpy()) <= 1e-12)
    figure = staffing_risk_figure(curve, answer.what_if.level, 1000.0)
    left, right = figure.axes
    for line, (_, own) in zip(left.get_lines(), curve.groupby("clause", sort=False), strict=False):
        assert line.get_ydata() == pytest.approx(own.sort_values("factor")["p_breach"].to_numpy())
    factors = np.unique(curve["factor"])
    assert right.get_lines()[0].get_ydata() == pytest.approx(factors)  # 1000 EUR = 1 thousand


def _summary_with(summary: dict, risks: dict[str, tuple[float, float]]) -> dict:
    """A copy of the summary whose clauses have the given (P(breach), penalty), others none."""
    copy = json.loads(json.dumps(summary))
    for key, entry in copy["contract"]["clauses"].items():
        if entry["p_breach"] is None:  # never applied: stays so
            continue
        p, penalty = risks.get(key, (0.0, 0.0))
        entry["p_breach"], entry["expected_penalty_eur"] = p, penalty
        entry["periods"] = [{**period, "p_breach": p} for period in entry["periods"]]
    return copy


def test_without_a_breach_the_answer_says_so(run, summary):
    quiet = _summary_with(summary, {})
    answer = run_answer(run["scenario"], run["plan"], run["kpis"], run["evaluation"], quiet)
    assert answer.driver is None
    text = " ".join(answer_sentences(answer))
    assert f"No clause breached in any of the {summary['replications']} replications." in text
    _, rows = answer_table(answer)
    assert not any("(driver)" in row[0] for row in rows)


def test_an_uptime_driver_is_explained_by_the_outage_model(run, summary):
    risky = _summary_with(summary, {"platform_uptime": (0.5, 1000.0), "phone_sl": (0.2, 10.0)})
    answer = run_answer(run["scenario"], run["plan"], run["kpis"], run["evaluation"], risky)
    assert answer.driver.clause.id == "platform_uptime" and answer.driver.days == ()
    outages = run["scenario"].outages.random
    expected = "random outages of" if outages else "no outage is modelled"
    assert any(expected in text for text in answer.driver.general)
    assert "It is driven by" in " ".join(answer_sentences(answer))
    assert "Staffing does not move platform_uptime" in " ".join(answer_sentences(answer))
