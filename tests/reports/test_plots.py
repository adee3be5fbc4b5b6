"""Tests of reports.run_figures on small hand-made tables: what each figure draws, its style."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from reports.figure_style import STYLE, png_bytes, write_pngs
from reports.interval_band import interval_band
from reports.run_figures import (
    clause_kpi_figure,
    interval_service_level_figure,
    net_credit_figure,
    staffing_figure,
)
from reports.text import clause_label, duration_text, sl_definition_text
from scenarios.contract import Contract
from scenarios.errors import InputError

START = pd.Timestamp("2027-03-01 08:00")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _kpi_rows(channel: str, kpi: str, values: list[list[float]]) -> list[dict]:
    """Interval rows of one channel and KPI: ``values[replication][interval]``."""
    return [
        {
            "replication": rep,
            "period_kind": "interval",
            "period": interval,
            "period_start": START + pd.Timedelta(minutes=15 * interval),
            "channel": channel,
            "kpi": kpi,
            "value": value,
        }
        for rep, row in enumerate(values)
        for interval, value in enumerate(row)
    ]


PHONE_SL = [[0.9, 0.5, 1.0], [0.7, 0.6, np.nan], [0.8, 0.7, 1.0]]
EMAIL_SL = [[1.0, 1.0, 0.95], [1.0, 0.9, 0.85], [1.0, 0.8, 0.9]]


@pytest.fixture
def kpis() -> pd.DataFrame:
    rows = (
        _kpi_rows("phone", "service_level", PHONE_SL)
        + _kpi_rows("email", "response_within_target_frac", EMAIL_SL)
        + _kpi_rows("phone", "offered", [[10, 12, 9]] * 3)
    )
    frame = pd.DataFrame(rows)
    return frame.astype({"period_kind": "category", "channel": "category", "kpi": "category"})


def _band(kpis: pd.DataFrame) -> pd.DataFrame:
    return interval_band(kpis, ["phone", "email"])


def _lines(axis) -> dict[str, object]:
    """The axis' lines by style: the data line (solid) and the target (dashed)."""
    return {line.get_linestyle(): line for line in axis.get_lines()}


def test_interval_service_level_draws_mean_band_and_dashed_target(kpis):
    figure = interval_service_level_figure(_band(kpis), {"phone": 0.8, "email": 0.9})
    phone, email = figure.axes
    assert "phone" in phone.get_title("left") and "target 80%" in phone.get_title("left")
    assert "email" in email.get_title("left") and "answered in time" in email.get_title("left")
    expected = np.nanmean(np.array(PHONE_SL), axis=0)
    lines = _lines(phone)
    np.testing.assert_allclose(lines["-"].get_ydata(), expected)
    assert lines["--"].get_ydata()[0] == pytest.approx(0.8)
    band = phone.collections[0].get_paths()[0].vertices[:, 1]
    low = np.nanquantile(np.array(PHONE_SL), 0.05, axis=0)
    high = np.nanquantile(np.array(PHONE_SL), 0.95, axis=0)
    assert band.min() == pytest.approx(low.min())
    assert band.max() == pytest.approx(high.max())
    assert _lines(email)["--"].get_ydata()[0] == pytest.approx(0.9)
    assert all("(%)" in axis.get_ylabel() for axis in figure.axes)
    assert "local time" in email.get_xlabel()
    assert figure.legends, "one legend for the whole figure"


def test_interval_service_level_refuses_a_channel_without_rows(kpis):
    with pytest.raises(InputError, match="chat"):
        interval_service_level_figure(_band(kpis), {"chat": 0.8})
    with pytest.raises(InputError, match="no channel"):
        interval_service_level_figure(_band(kpis), {})


@pytest.fixture
def plan() -> pd.DataFrame:
    starts = START + pd.to_timedelta(np.arange(4) * 900, "s")
    frame = pd.DataFrame(
        {
            "interval_start": np.tile(starts, 2),
            "channel": ["email"] * 4 + ["social"] * 4,
            "team": "backoffice",
            "required_agents": pd.array([3, 4, pd.NA, 2, 1, 1, 2, pd.NA], dtype="Int64"),
            "scheduled_agents": [10, 10, 12, 12] * 2,
            "productive_agents": [6, 7, 8, 8, 1, 1, 0, 0],
        }
    )
    return frame.astype({"channel": "category", "team": "category"})


def test_staffing_figure_draws_each_plan_column_per_channel(plan):
    figure = staffing_figure(plan)
    email, social = figure.axes
    assert "shared with social" in email.get_title("left")
    drawn = [line.get_ydata() for line in social.get_lines()]
    np.testing.assert_array_equal(drawn[0], [10, 10, 12, 12])
    np.testing.assert_array_equal(drawn[1], [1, 1, 0, 0])
    np.testing.assert_array_equal(drawn[2], [1, 1, 2, np.nan])
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels == [
        "scheduled (on duty, before shrinkage)",
        "productive (after shrinkage)",
        "required (productive agents)",
    ]
    assert social.get_ylabel() == "agents"


def test_staffing_figure_needs_its_columns(plan):
    with pytest.raises(InputError, match="required_agents"):
        staffing_figure(plan.drop(columns="required_agents"))


CONTRACT = Contract.model_validate(
    {
        "fee": {"fixed_eur": 100000, "billing_period": "day"},
        "measurement_period": "day",
        "at_risk_cap": 0.1,
        "clauses": [
            {
                "id": "phone_sl",
                "kpi": "service_level",
                "channel": "phone",
                "threshold": "30s",
                "target": "80%",
                "penalty": {"scheme": "fixed", "percent_of_fee": "5%"},
                "bonus": {"scheme": "fixed", "percent_of_fee": "1%", "above": "90%"},
            },
            {
                "id": "phone_csat",
                "kpi": "csat",
                "channel": "phone",
                "target": 4.0,
                "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
            },
            {
                "id": "phone_fcr",
                "kpi": "fcr",
                "channel": "phone",
                "target": "70%",
                "penalty": {"scheme": "fixed", "percent_of_fee": "1%"},
            },
        ],
    }
)


def _evaluation(values: dict[str, list[list[float]]]) -> pd.DataFrame:
    """Rows of ``evaluate_contract`` that the figures read: ``values[clause][rep][day]``."""
    rows = [
        {
            "replication": rep,
            "period": day,
            "period_start": pd.Timestamp("2027-03-01") + pd.Timedelta(days=day),
            "clause": clause,
            "value": value,
        }
        for clause, grid in values.items()
        for rep, row in enumerate(grid)
        for day, value in enumerate(row)
    ]
    return pd.DataFrame(rows).astype({"clause": "category"})


def test_clause_figure_one_panel_per_clause_with_target_and_bonus_lines():
    evaluation = _evaluation(
        {
            "phone_sl": [[0.85, 0.75], [0.95, 0.8]],
            "phone_csat": [[4.2, 3.9], [4.1, 4.0]],
            "phone_fcr": [[np.nan, np.nan], [np.nan, np.nan]],
        }
    )
    figure = clause_kpi_figure(evaluation, CONTRACT)
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert [axis.get_title("left") for axis in visible] == [
        "phone_sl (phone)",
        "phone_csat (phone)",
        "phone_fcr (phone)",
    ]
    sl, csat, fcr = visible
    lines = _lines(sl)
    assert lines["--"].get_ydata()[0] == pytest.approx(0.8)
    assert lines[":"].get_ydata()[0] == pytest.approx(0.9)
    points = sorted(
        np.concatenate([line.get_ydata() for line in sl.get_lines() if line.get_marker() == "o"])
    )
    assert points == pytest.approx([0.75, 0.8, 0.85, 0.95])
    assert [tick.get_text() for tick in sl.get_xticklabels()] == ["Mon\n01 Mar", "Tue\n02 Mar"]
    assert sl.get_ylabel() == "share (%)" and csat.get_ylabel() == "score (1-5)"
    assert _lines(csat)["--"].get_ydata()[0] == pytest.approx(4.0)
    assert any("no value" in text.get_text() for text in fcr.texts)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert "target" in labels and "bonus threshold" in labels


def test_clause_figure_refuses_a_clause_without_rows():
    evaluation = _evaluation({"phone_sl": [[0.85]]})
    with pytest.raises(InputError, match="phone_csat"):
        clause_kpi_figure(evaluation, CONTRACT)


def test_net_credit_figure_draws_periods_total_and_cap():
    totals = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1],
            "period": [0, 1, 0, 1],
            "period_start": pd.to_datetime(["2027-03-01", "2027-04-01"] * 2),
            "fee_eur": [100000.0, 120000.0, 100000.0, 120000.0],
            "net_credit_eur": [5000.0, -1000.0, 0.0, 12000.0],
        }
    )
    figure = net_credit_figure(totals, "month", at_risk_cap_frac=0.1)
    per_period, total = figure.axes
    caps = sorted(segment[0, 1] for segment in per_period.collections[0].get_segments())
    caps += sorted(segment[0, 1] for segment in per_period.collections[1].get_segments())
    assert caps == pytest.approx([10.0, 12.0])
    assert [tick.get_text() for tick in per_period.get_xticklabels()] == ["Mar\n2027", "Apr\n2027"]
    totals_drawn = [line.get_ydata() for line in total.get_lines() if line.get_marker() == "o"]
    assert sorted(np.concatenate(totals_drawn)) == pytest.approx([4.0, 12.0])
    assert "thousand EUR" in per_period.get_ylabel()


def test_style_is_scoped_to_the_figures(kpis):
    before = dict(mpl.rcParams)
    with mpl.rc_context({"font.size": 30, "axes.grid": False}):
        figure = interval_service_level_figure(_band(kpis), {"phone": 0.8})
        assert mpl.rcParams["font.size"] == 30
    assert dict(mpl.rcParams) == before
    axis = figure.axes[0]
    assert axis.yaxis.label.get_fontsize() == STYLE["axes.labelsize"]
    assert axis.yaxis.get_ticklabels()[0].get_fontsize() == STYLE["ytick.labelsize"]
    assert isinstance(figure.canvas, FigureCanvasAgg)


def test_pngs_are_png_files(kpis, tmp_path):
    data = png_bytes(interval_service_level_figure(_band(kpis), {"phone": 0.8}))
    assert data.startswith(PNG_SIGNATURE)
    paths = write_pngs({"interval_sl": data}, tmp_path)
    assert paths == [tmp_path / "interval_sl.png"]
    assert paths[0].read_bytes() == data


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30 s"), (60, "1 min"), (90, "1.5 min"), (7200, "2 h"), (86400, "1 d"), (45.5, "45.5 s")],
)
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


def test_clause_labels_name_the_threshold():
    sl, csat, fcr = CONTRACT.clauses
    assert clause_label(sl) == "service level within 30 s, per offered"
    assert clause_label(csat) == "CSAT"
    assert clause_label(fcr) == "first-contact resolution (no repeat within the channel's window)"


def test_sl_definitions_in_words():
    assert sl_definition_text("answered", 0.0) == "per answered"
    assert sl_definition_text("excl_short_abandons", 5.0) == "abandons < 5 s excluded"
