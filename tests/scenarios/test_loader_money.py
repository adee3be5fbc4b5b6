"""The money fields of a scenario: every bad value is one FILE:LINE:COL error naming its field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load

DATA = Path(__file__).resolve().parent / "data"


def problems(tmp_path: Path, name: str, old: str = "", new: str = "") -> list[str]:
    (tmp_path / "roster.csv").write_text("interval_start,agents\n2027-03-01T00:00,5\n")
    text = (DATA / name).read_text(encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(text.replace(old, new, 1) if old else text, encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load(path)
    return str(error.value).replace(str(tmp_path) + os.sep, "").splitlines()


def test_bad_values_of_the_money_fields_are_located(tmp_path):
    assert problems(tmp_path, "money_fields_bad.yaml") == [
        "m.yaml:9:29: channels.phone.resolution_probability: must be between 0 and 1 "
        "(0% and 100%); write 80% for a percentage (got '120%')",
        "m.yaml:10:17: channels.phone.fcr_window: must be a duration such as 30s, 3m, 2h, 1d "
        "or a number of seconds (got '-1d')",
        "m.yaml:13:16: events.forecast_bias.0.factor: must be greater than 0.0 (got 0)",
        "m.yaml:14:45: events.forecast_bias.1.end: must not be before start 2027-03-05 "
        "(got '2027-03-01')",
        "m.yaml:19:22: partner.cost_per_hire_eur: must be at least 0.0 (got -100)",
        "m.yaml:20:31: partner.overhead_per_fte_month_eur: must be a number (got 'lots')",
        "m.yaml:24:23: partner.teams.0.contracted_fte: must be greater than 0.0 (got 0)",
        "m.yaml:27:20: contract.fee.fixed_eur: must be at least 0.0 (got -5)",
        "m.yaml:27:40: contract.fee.billing_period: must be 'day', 'week', 'month' or "
        "'quarter' (got 'fortnight')",
        "m.yaml:29:13: contract.forecast.factor: must not be negative (got '-10%')",
        "m.yaml:39:27: contract.clauses.0.measurement_period: must be 'day', 'week', 'month' or "
        "'quarter' (got 'year')",
        "m.yaml:41:25: contract.clauses.0.min_volume_basis: must be 'actual' or 'forecast' "
        "(got 'planned')",
        "m.yaml:47:19: contract.clauses.1.target_min: must be below the target (the band's "
        "maximum) 240 s (got 300.0)",
    ]


def test_money_fields_that_do_not_fit_the_rest_are_located(tmp_path):
    assert problems(tmp_path, "money_fields_cross.yaml") == [
        "m.yaml:12:32: events.forecast_bias.0.channels.0: is not a defined channel; did you mean "
        "'phone'? (got 'phnoe')",
        "m.yaml:21:23: contract.fee.from_pricing: needs partner.pricing to price the fee "
        "(got True)",
        "m.yaml:24:39: contract.forecast.channels.phone.contacts: needs one number per week "
        "overlapping the horizon: 2 (from 2027-03-01 to 2027-03-08), not 3",
        "m.yaml:25:13: contract.forecast.channels.chat: is not a defined channel (got 'chat')",
        "m.yaml:34:12: contract.clauses.1.kpi: staff_availability needs contracted_fte of "
        "team(s) voice (got 'staff_availability')",
        "m.yaml:39:12: contract.clauses.2.kpi: csat_top_box needs channels.phone.csat to be given",
    ]


def test_an_alias_beside_its_field_and_a_band_off_aht_are_located(tmp_path):
    both = problems(
        tmp_path,
        "money_fields_cross.yaml",
        "    resolution_probability: 70%\n",
        "    fcr: 70%\n    resolution_probability: 70%\n",
    )
    assert both[0] == (
        "m.yaml:9:10: channels.phone.fcr: is the deprecated name of resolution_probability, "
        "which is given too; give only resolution_probability (got '70%')"
    )
    band = problems(
        tmp_path,
        "money_fields_cross.yaml",
        "      target: 80%\n",
        "      target: 80%\n      target_min: 1m\n",
    )
    assert band[0] == (
        "m.yaml:32:19: contract.clauses.0.target_min: is only for kpi aht (a band of handle times)"
    )


def test_the_deprecated_fee_name_is_refused_where_its_meaning_would_change(tmp_path):
    weekly = problems(
        tmp_path,
        "money_fields_cross.yaml",
        "  fee: {from_pricing: true}",
        "  fee: {fixed_per_period_eur: 5000}\n  measurement_period: week",
    )
    assert weekly[0] == (
        "m.yaml:21:31: contract.fee.fixed_per_period_eur: was the fee per measurement period "
        "(week); write fixed_eur, the fee per billing_period (month unless given) (got 5000.0)"
    )
