"""What ``ccplan run`` and ``compare`` say about money: warnings on the terminal and in the
report, P(breach) with its interval and the replications behind it, differences in points."""

from __future__ import annotations

import json
import re

import pandas as pd

from reports.terminal import print_comparison
from scenarios import load
from sla_eval.comparison import money_first, variant_warnings

PRICING = "partner.pricing={per_agent_hour_eur: 32}"
NOTICE = "the fixed fee of 692,000 EUR per month sets the fee; partner.pricing"


def test_an_unused_pricing_is_said_once_on_the_terminal_and_in_the_report(ccplan, small, tmp_path):
    out = tmp_path / "r"
    done = ccplan(
        "run", small, "--workers", "1", "--replications", "2", "--out", out, "--set", PRICING,
    )  # fmt: skip
    assert done.code == 0, done.err
    lines = [line for line in done.err.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and NOTICE in lines[0]
    summary = json.loads((out / "summary.json").read_text())
    assert [line for line in summary["warnings"] if NOTICE in line] == [lines[0][9:]]
    report = (out / "report.html").read_text()
    assert NOTICE in report
    answer = report.split('<section id="answer">')[1].split("</section>")[0]
    assert 'has 1 notice(s) about its inputs: see <a href="#warnings">' in answer
    # the terminal says how many replications back P(breach) and the money, with the interval
    assert "over 2 replications: P(breach, any clause and period)" in done.out
    low, high = summary["contract"]["p_breach_ci95"]
    assert f"[{low:.0%}, {high:.0%}]" in done.out
    # a clause never judged in one day (the 7-day FCR window) is not applicable, not 0 %
    # (in the answer table first, then in the clause details)
    fcr_rows = [line for line in done.out.splitlines() if "phone_fcr" in line]
    assert len(fcr_rows) == 2 and all("not applicable" in row for row in fcr_rows)


def test_variants_of_different_horizons_are_flagged_and_money_comes_first(small):
    base = load(small)
    longer = load(small, ["horizon.days=2", "name=longer"])
    hourly = load(small, ["horizon.interval=60m", "name=hourly"])
    found = variant_warnings([base, longer, hourly])
    assert len(found) == 2
    assert found[0].startswith("longer and small differ in horizon (2 days from 2027-03-01")
    assert found[1].startswith("hourly and small differ in interval (3600 s vs 900 s)")
    assert variant_warnings([base, load(small, ["name=twin"])]) == []
    table = pd.DataFrame(
        {
            "channel": ["phone", "contract", "all", "contract", "contract"],
            "metric": ["service_level", "breach", "offered", "client_cost_eur", "penalty_eur"],
        }
    )
    ordered = money_first(table)
    assert ordered["metric"].tolist()[:3] == ["penalty_eur", "client_cost_eur", "breach"]


def test_differences_of_fractions_are_printed_in_points(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    differences = pd.DataFrame(
        {
            "variant": ["b", "b"],
            "reference": ["a", "a"],
            "channel": ["contract", "phone"],
            "metric": ["net_credit_eur", "service_level"],
            "n": [3, 3],
            "mean_reference": [1000.0, 0.80],
            "mean_variant": [1500.0, 0.83],
            "mean_difference": [500.0, 0.03],
            "ci95_low": [100.0, 0.01],
            "ci95_high": [900.0, 0.05],
        }
    )
    print_comparison(differences, ["a.yaml", "b.yaml"], 3, 7, tmp_path, ["a and b differ"])
    printed = capsys.readouterr()
    assert "warning: a and b differ" in printed.err
    assert "+3.0 pt" in printed.out and "+1.0 pt .. +5.0 pt" in printed.out
    assert re.search(r"(?<![\d.])3\.0%", printed.out) is None  # 80.0 % and 83.0 % stay
    assert printed.out.index("net_credit_eur") < printed.out.index("service_level")
