"""Thresholds for pipelines: ``ccplan run --fail-if`` and ``ccplan check`` exit 1 when a
threshold is crossed and 2 on a bad expression (sla_eval.thresholds)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reports import workflows
from scenarios.errors import InputError
from sla_eval.thresholds import check_thresholds, parse_threshold
from tests.cli.conftest import SMALL


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The results folder of one run of the small scenario."""
    out = tmp_path_factory.mktemp("check") / "r"
    workflows.run(SMALL, out=out)
    return out


@pytest.fixture(scope="module")
def summary(folder):
    return json.loads((folder / "summary.json").read_text())


def test_parse_reads_percent_units_and_separators():
    threshold = parse_threshold("p_breach(email_sla) > 20%")
    assert (threshold.metric, threshold.argument, threshold.op) == ("p_breach", "email_sla", ">")
    assert threshold.limit == pytest.approx(0.2)
    assert parse_threshold("expected_net_credit_eur >= 5,000 EUR").limit == 5000.0
    assert parse_threshold("phone.asa_s<=20s").limit == 20.0
    for bad in ("p_breach", "p_breach = 2", "p_breach > x", "nothing > 1", "p_breach(a) > 1 EUR",
                "client_cost > 3%", "phone.service_level > 3s", "client_cost(x) > 1"):  # fmt: skip
        with pytest.raises(InputError, match="--fail-if"):
            parse_threshold(bad)


def test_check_compares_with_the_summary(summary):
    clause = next(iter(summary["contract"]["clauses"]))
    p = summary["contract"]["clauses"][clause]["p_breach"]
    sl = summary["channels"]["phone"]["service_level"]["mean"]
    results = check_thresholds(
        summary,
        [
            parse_threshold(f"p_breach({clause}) >= {100 * p}%"),
            parse_threshold(f"p_breach({clause}) > {100 * p}%"),
            parse_threshold(f"phone.service_level < {sl + 0.001}"),
        ],
    )
    assert [result.crossed for result in results] == [True, False, True]
    assert results[0].value == p
    with pytest.raises(InputError, match="no clause 'nope'"):
        check_thresholds(summary, [parse_threshold("p_breach(nope) > 1%")])
    with pytest.raises(InputError, match="no KPI 'nope'"):
        check_thresholds(summary, [parse_threshold("phone.nope > 1")])


def test_check_exit_codes(ccplan, folder, summary, tmp_path):
    credit = summary["contract"]["expected_net_credit_eur"]
    done = ccplan("check", folder, "--fail-if", f"expected_net_credit > {credit - 1:.2f}")
    assert done.code == 1 and "CROSSED" in done.err
    done = ccplan("check", folder, "--fail-if", f"expected_net_credit > {credit + 1:.2f}",
                  "--fail-if", "p_breach <= 100%")  # fmt: skip
    assert done.code == 1 and done.out.count("-> ok") == 1
    done = ccplan("check", folder, "--fail-if", f"expected_net_credit > {credit + 1:.2f}")
    assert done.code == 0 and "-> ok" in done.out
    assert ccplan("check", folder, "--fail-if", "p_breach >> 1").code == 2
    assert ccplan("check", folder, "--fail-if", "p_breach(nope) > 1%").code == 2
    assert ccplan("check", tmp_path, "--fail-if", "p_breach > 1%").code == 2
    assert ccplan("check", folder).code == 2  # --fail-if is required


def test_run_fail_if(ccplan, small, tmp_path):
    out = tmp_path / "r"
    base = ("run", small, "--workers", "1", "--out", out, "--no-contacts", "--quiet")
    done = ccplan(*base, "--fail-if", "p_breach >= 0%")
    assert done.code == 1 and (out / "summary.json").is_file()
    lead = done.out.split("Clauses: P(breach)")[0]  # the answer comes first
    assert "the client is expected to pay" in lead
    assert "The risk is driven by" in lead or "No clause breached" in done.out
    done = ccplan(*base, "--fail-if", "p_breach > 100%", "--xlsx")
    assert done.code == 0 and f"wrote {out / 'results.xlsx'}" in done.out
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert sheets["clauses"]["clause"].tolist() == list(
        json.loads((out / "summary.json").read_text())["contract"]["clauses"]
    )
    bad = ccplan("run", small, "--out", tmp_path / "never", "--fail-if", "p_breach ~ 1")
    assert bad.code == 2 and not (tmp_path / "never").exists()
