"""Contract schema: clause units per KPI, clause rules, schemes and their amounts by hand."""

from __future__ import annotations

import pytest

from scenarios.contract import (
    BandedScheme,
    Clause,
    Contract,
    Fee,
    LinearScheme,
    RepeatMiss,
)

FIXED_5 = {"scheme": "fixed", "percent_of_fee": "5%"}


def _clause(**fields):
    data = {"id": "c", "kpi": "fcr", "channel": "phone", "target": "70%", "penalty": FIXED_5}
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("kpi", "raw", "value"),
    [
        ("service_level", "80%", 0.8),
        ("abandon_rate", 0.05, 0.05),
        ("uptime", "99.5%", 0.995),
        ("asa", "30s", 30.0),
        ("asa", 25, 25.0),
        ("csat", 4, 4.0),
    ],
)
def test_target_unit_follows_the_kpi(kpi, raw, value):
    extra = {"threshold": "20s"} if kpi == "service_level" else {}
    clause = Clause.model_validate(_clause(kpi=kpi, target=raw, **extra))
    assert clause.target == pytest.approx(value)


@pytest.mark.parametrize(
    ("kpi", "raw", "message"),
    [
        ("csat", "80%", "Value error, a csat target must be a score between 1 and 5, e.g. 4.0"),
        ("csat", 5.5, "Value error, a csat target must be a score between 1 and 5"),
        (
            "asa",
            "80%",
            "Value error, must be a duration such as 30s, 3m, 2h, 1d or a number of seconds",
        ),
        (
            "fcr",
            70,
            "Value error, must be between 0 and 1 (0% and 100%); write 80% for a percentage",
        ),
    ],
)
def test_target_in_the_wrong_unit(kpi, raw, message, model_errors):
    assert model_errors(Clause, _clause(kpi=kpi, target=raw)) == [("target", message)]


def test_threshold_is_required_exactly_where_used(model_errors):
    assert model_errors(Clause, _clause(kpi="service_level", target="80%")) == [
        ("threshold", "is required for kpi service_level")
    ]
    assert model_errors(Clause, _clause(threshold="30s")) == [
        ("threshold", "is not used by kpi fcr; remove it")
    ]
    assert model_errors(Clause, _clause(kpi="escalation_response", channel="all", threshold=0)) == [
        ("threshold", "must be longer than zero")
    ]


def test_kpi_specific_settings(model_errors):
    data = _clause(sl_definition="answered", short_abandon="5s", business_hours=True)
    assert model_errors(Clause, data) == [
        ("sl_definition", "is only for kpi service_level"),
        ("short_abandon", "is only for kpi service_level or abandon_rate"),
        ("business_hours", "is only for kpi response_within_target"),
    ]
    data = _clause(kpi="service_level", threshold="20s", sl_definition="excl_short_abandons")
    assert model_errors(Clause, data) == [
        ("short_abandon", "must be given (> 0) for excl_short_abandons")
    ]
    assert model_errors(Clause, _clause(channel="all")) == [
        ("channel", "'all' is only for kpi uptime or escalation_response")
    ]


def test_penalty_extras_need_a_penalty(model_errors):
    data = _clause(
        penalty=None,
        bonus={"scheme": "fixed", "percent_of_fee": "1%"},
        relief_band="10%",
        earn_back_periods=2,
        repeat_miss={"window_periods": 3, "misses": 2, "multiplier": 1.5},
    )
    assert model_errors(Clause, data) == [
        ("relief_band", "needs a penalty"),
        ("earn_back_periods", "needs a penalty"),
        ("repeat_miss", "needs a penalty"),
    ]
    assert model_errors(Clause, _clause(penalty=None)) == [
        ("penalty", "give a penalty, a bonus or both")
    ]


def test_bonus_threshold_unit_and_direction(model_errors):
    bonus = {"scheme": "linear", "above": "85%", "per_point_percent_of_fee": "0.5%"}
    clause = Clause.model_validate(_clause(bonus=bonus))
    assert clause.bonus.above == pytest.approx(0.85) and clause.bonus_threshold == 0.85
    bonus["above"] = "65%"
    assert model_errors(Clause, _clause(bonus=bonus)) == [
        ("bonus.linear.above", "must be at least as good as the target 0.7")
    ]
    bonus["above"] = "2m"
    assert model_errors(Clause, _clause(bonus=bonus)) == [
        ("bonus.linear.above", "must be a fraction such as 0.8 or a percentage such as 80%")
    ]
    asa = Clause.model_validate(
        _clause(
            kpi="asa",
            target="30s",
            bonus={"scheme": "fixed", "percent_of_fee": "1%", "above": "15s"},
        )
    )
    assert asa.bonus_threshold == 15.0
    assert Clause.model_validate(
        _clause(bonus={"scheme": "fixed", "percent_of_fee": "1%"})
    ).bonus_threshold == pytest.approx(0.7)


def test_shortfall_and_excess_units_by_hand():
    sl = Clause.model_validate(
        _clause(
            kpi="service_level",
            threshold="30s",
            target="80%",
            bonus={"scheme": "linear", "above": "85%", "per_point_percent_of_fee": "0.5%"},
        )
    )
    assert sl.higher_is_better
    assert sl.shortfall_units(0.77) == pytest.approx(3.0)
    assert sl.shortfall_units(0.9) == pytest.approx(-10.0)
    assert sl.excess_units(0.9) == pytest.approx(5.0)
    asa = Clause.model_validate(_clause(kpi="asa", target="30s"))
    assert not asa.higher_is_better
    assert asa.shortfall_units(42.0) == 12.0 and asa.excess_units(10.0) == 0.0
    abandon = Clause.model_validate(_clause(kpi="abandon_rate", target="5%"))
    assert abandon.shortfall_units(0.065) == pytest.approx(1.5)
    csat = Clause.model_validate(_clause(kpi="csat", target=4.0))
    assert csat.shortfall_units(3.8) == pytest.approx(0.2)


def test_scheme_rules(model_errors):
    assert model_errors(LinearScheme, {"scheme": "linear"}) == [
        ("", "Value error, give exactly one of per_point_percent_of_fee or per_point_eur")
    ]
    bands = [
        {"from_shortfall_points": 5, "percent_of_fee": "5%"},
        {"from_shortfall_points": 5, "percent_of_fee": "2%"},
    ]
    assert model_errors(BandedScheme, {"scheme": "banded", "bands": bands}) == [
        ("bands.1.from_shortfall_points", "must be above the previous band's 5"),
        ("bands.1.percent_of_fee", "must not be below the previous band's 0.05"),
    ]
    assert model_errors(BandedScheme, {"scheme": "banded", "bands": []}) == [
        ("bands", "Value error, must not be empty")
    ]
    assert model_errors(RepeatMiss, {"window_periods": 3, "misses": 4, "multiplier": 2}) == [
        ("misses", "must not exceed window_periods 3")
    ]


def test_unknown_scheme_and_extra_fields(model_errors):
    assert model_errors(Clause, _clause(penalty={"scheme": "fixed", "percent": "5%"})) == [
        ("penalty.fixed.percent_of_fee", "Field required"),
        ("penalty.fixed.percent", "Extra inputs are not permitted"),
    ]
    assert model_errors(Clause, _clause(penalty={"scheme": "tiered"}))[0] == (
        "penalty",
        "Input tag 'tiered' found using 'scheme' does not match any of the expected tags: "
        "'fixed', 'linear', 'banded', 'per_unit'",
    )


def test_contract_fee_ids_and_defaults(model_errors):
    assert model_errors(Fee, {"fixed_eur": 1, "from_pricing": True}) == [
        (
            "",
            "Value error, give exactly one of fixed_eur or from_pricing: true "
            "(got fixed_eur, from_pricing)",
        )
    ]
    assert model_errors(Fee, {"from_pricing": False})[0][0] == "from_pricing"
    contract = Contract.model_validate({"fee": {"from_pricing": True}, "clauses": [_clause()]})
    assert contract.measurement_period == "month" and contract.at_risk_cap is None
    clause = contract.clauses[0]
    assert (clause.pool, clause.min_volume, clause.short_abandon) == (1.0, 0.0, 0.0)
    assert clause.relief_band is None and clause.earn_back_periods is None
    twice = {"fee": {"from_pricing": True}, "clauses": [_clause(), _clause()]}
    assert model_errors(Contract, twice) == [("clauses.1.id", "is used by another clause")]
    assert model_errors(Contract, {"fee": {"from_pricing": True}, "clauses": []}) == [
        ("clauses", "Value error, must not be empty")
    ]
