"""Notices about valid scenarios: deprecated names and a pricing block a fixed fee leaves unused."""

from __future__ import annotations

from pathlib import Path

from scenarios import load
from scenarios.notices import scenario_notices

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def test_the_examples_carry_no_notice():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        assert scenario_notices(load(path)) == (), path.name


def test_the_deprecated_fcr_is_one_line_for_every_channel_using_it(tmp_path):
    variant = tmp_path / "old.yaml"
    variant.write_text(
        f"extends: {EXAMPLES / 'baseline.yaml'}\n"
        "channels:\n"
        "  phone: {resolution_probability: null, fcr: 75%}\n"
        "  email: {resolution_probability: null, fcr: 80%}\n",
        encoding="utf-8",
    )
    scenario = load(variant)
    assert scenario.channels["phone"].resolution_probability == 0.75
    assert scenario_notices(scenario) == (
        "fcr is deprecated (channels phone, email): write resolution_probability, the chance "
        "the agent resolves a contact; the FCR customers feel is measured (docs/results.md)",
    )


def test_a_fixed_fee_beside_a_pricing_says_which_sets_the_fee():
    scenario = load(EXAMPLES / "baseline.yaml", ["partner.pricing={per_agent_hour_eur: 32}"])
    assert scenario_notices(scenario) == (
        "the fixed fee of 692,000 EUR per month sets the fee; partner.pricing (32.00 EUR per "
        "production hour) is not used (use contract.fee from_pricing: true to price what the "
        "partner delivers)",
    )
    priced = load(
        EXAMPLES / "baseline.yaml",
        ["partner.pricing={per_agent_hour_eur: 32}", "contract.fee={from_pricing: true}"],
    )
    assert scenario_notices(priced) == ()


def test_the_former_fee_name_is_read_as_the_fee_per_billing_period_with_a_notice():
    scenario = load(EXAMPLES / "baseline.yaml", ["contract.fee={fixed_per_period_eur: 692000}"])
    assert scenario.contract.fee.fixed_per_billing_period_eur == 692000
    assert scenario_notices(scenario) == (
        "contract.fee.fixed_per_period_eur is deprecated: write fixed_eur, the fee per "
        "billing_period (month)",
    )
