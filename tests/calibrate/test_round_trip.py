"""Round trip: simulate the known scenario (``data/known.yaml``), write its contact log in the
documented format, calibrate it, and find every parameter of the scenario inside the 95 %
confidence interval of its estimate -- a test per parameter. The true values are read from the
scenario, never typed here. Where several intervals are checked at once (weekday weights,
hourly weights) the number of misses is held to the 99.9 % quantile of Binomial(k, 0.05)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scenarios import load

CHANNELS = ("phone", "chat", "email")


def _allowed_misses(k: int) -> int:
    return int(stats.binom.ppf(0.999, k, 0.05))


def test_the_calibrated_scenario_validates_and_keeps_the_channels(round_trip):
    calibration = round_trip.calibration
    loaded = load(calibration.scenario_path)
    truth = round_trip.scenario
    assert loaded.channel_names == tuple(sorted(truth.channel_names))
    for name in truth.channel_names:
        assert loaded.channels[name].kind == truth.channels[name].kind


def test_opening_hours_and_closed_days_are_found(round_trip):
    truth = round_trip.scenario
    calibration = round_trip.calibration
    interval_s = truth.horizon.interval_s
    for name in CHANNELS:
        found = calibration.channels[name].hours.windows
        seconds = [None if w is None else (w[0] * interval_s, w[1] * interval_s) for w in found]
        assert seconds == [
            None if w is None else tuple(w) for w in truth.channels[name].hours.windows_s
        ]
    assert calibration.closed_days == truth.horizon.closed_days


def _parameters(round_trip) -> dict[str, tuple]:
    """Every scalar parameter of the known scenario: its estimate and its true value."""
    truth = round_trip.scenario.channels
    found = round_trip.calibration.channels
    pairs = {
        f"per_week.{n}": (found[n].volume.per_week, truth[n].volume.per_week) for n in CHANNELS
    }
    for n in ("phone", "email"):
        pairs[f"handle_mean.{n}"] = (found[n].handle_time.mean_s, truth[n].handle_time.mean)
        pairs[f"handle_cv.{n}"] = (found[n].handle_time.cv, truth[n].handle_time.cv)
        # a log shows (1 - fcr) * repeat.probability, not the two factors
        returns = (1 - truth[n].resolution_probability) * truth[n].repeat.probability
        pairs[f"repeat_probability.{n}"] = (found[n].repeat.probability, returns)
        pairs[f"repeat_delay.{n}"] = (found[n].repeat.delay_mean_s, truth[n].repeat.delay.mean)
    for n in ("phone", "chat"):
        pairs[f"patience.{n}"] = (found[n].patience.mean_s, truth[n].patience.mean)
    redial = found["phone"].redial
    pairs["redial_probability.phone"] = (redial.probability, truth["phone"].redial.probability)
    pairs["redial_delay.phone"] = (redial.delay_mean_s, truth["phone"].redial.delay.mean)
    chat = found["chat"].concurrency
    pairs["work_mean.chat"] = (chat.work_mean_s, truth["chat"].handle_time.mean)
    for k, speed in enumerate(truth["chat"].concurrency.speed_by_chats[1:], start=2):
        pairs[f"speed_{k}_chats.chat"] = (chat.speeds[k - 1], speed)
    day_cv = round_trip.scenario.events.forecast_error.day_cv
    pairs["day_cv"] = (round_trip.calibration.day_cv, day_cv)
    return pairs


PARAMETERS = (
    [f"per_week.{n}" for n in CHANNELS]
    + [
        f"{p}.{n}"
        for n in ("phone", "email")
        for p in ("handle_mean", "handle_cv", "repeat_probability", "repeat_delay")
    ]
    + ["patience.phone", "patience.chat", "redial_probability.phone", "redial_delay.phone"]
    + ["work_mean.chat", "speed_2_chats.chat", "day_cv"]
)
_WIDEN = float(stats.norm.ppf(0.9995) / stats.norm.ppf(0.975))


def _inside_999(estimate, truth: float) -> bool:
    """Whether ``truth`` lies in the estimate's interval widened from 95 % to about 99.9 %
    (half-widths times z(0.9995) / z(0.975), on the log scale for positive intervals)."""
    if estimate.low > 0:
        value, low, high, truth = (
            np.log(x) for x in (estimate.value, estimate.low, estimate.high, truth)
        )
    else:
        value, low, high = estimate.value, estimate.low, estimate.high
    return value - _WIDEN * (value - low) <= truth <= value + _WIDEN * (high - value)


def test_every_parameter_is_listed(round_trip):
    assert sorted(_parameters(round_trip)) == sorted(PARAMETERS)


@pytest.mark.parametrize("name", PARAMETERS)
def test_parameter_is_recovered(round_trip, name):
    estimate, truth = _parameters(round_trip)[name]
    assert estimate.n > 0
    assert _inside_999(estimate, truth), (name, estimate, truth)


def test_95_percent_intervals_miss_no_more_often_than_chance(round_trip):
    pairs = _parameters(round_trip)
    misses = [name for name, (estimate, truth) in pairs.items() if not estimate.covers(truth)]
    assert len(misses) <= _allowed_misses(len(pairs)), misses


@pytest.mark.parametrize("name", CHANNELS)
def test_weekday_weights(round_trip, name):
    channel = round_trip.scenario.channels[name]
    weights = round_trip.calibration.channels[name].volume.weekday_weights
    receiving = [d for d in range(7) if weights[d] is not None]
    if channel.is_realtime:
        open_days = [d for d, w in enumerate(channel.hours.windows_s) if w is not None]
        assert receiving == open_days
    truth = np.array(channel.weekday_weights)[receiving]
    truth = truth / truth.mean()
    misses = sum(not weights[d].covers(t) for d, t in zip(receiving, truth, strict=True))
    assert misses <= _allowed_misses(len(receiving))


@pytest.mark.parametrize("name", CHANNELS)
def test_intraday_profile(round_trip, name):
    channel = round_trip.scenario.channels[name]
    profile = round_trip.calibration.channels[name].intraday
    hours = np.arange(24)
    if channel.is_realtime:
        windows = [w for w in channel.hours.windows_s if w is not None]
        seen = np.array([any(a <= h * 3600 < b for a, b in windows) for h in hours])
    else:
        seen = np.ones(24, dtype=bool)
    truth = np.where(seen, channel.hourly_weights, 0.0)
    truth = truth / truth.sum()
    estimates = profile.weights
    assert all(estimates[h].value == 0 for h in hours[truth == 0])
    misses = sum(not estimates[h].covers(truth[h]) for h in hours[truth > 0])
    assert misses <= _allowed_misses(int((truth > 0).sum()))


@pytest.mark.parametrize("name", ["phone", "email"])
def test_handle_time_family_is_chosen_by_aic(round_trip, name):
    truth = round_trip.scenario.channels[name].handle_time
    fit = round_trip.calibration.channels[name].handle_time
    assert fit.distribution == truth.distribution
    assert min(fit.aic, key=fit.aic.get) == truth.distribution


@pytest.mark.parametrize("name", ["phone", "chat"])
def test_exponential_patience_is_chosen_by_aic(round_trip, name):
    assert round_trip.scenario.channels[name].patience.distribution == "exponential"
    assert round_trip.calibration.channels[name].patience.distribution == "exponential"


@pytest.mark.parametrize("name", ["phone", "chat"])
def test_naive_patience_is_biased_low(round_trip, name):
    truth = round_trip.scenario.channels[name].patience.mean
    naive = round_trip.calibration.channels[name].patience.naive_mean_s
    assert naive.high < truth  # its whole interval lies below the mean patience


def test_kaplan_meier_follows_the_true_survival(round_trip):
    truth = round_trip.scenario.channels["phone"].patience.mean
    t, _, low, high = round_trip.calibration.channels["phone"].patience.km
    points = np.linspace(0, t.size - 1, 6).astype(int)[1:]  # five times up to the longest wait
    survival = np.exp(-t[points] / truth)
    misses = np.sum((survival < low[points]) | (survival > high[points]))
    assert misses <= _allowed_misses(points.size)


@pytest.mark.parametrize("name", ["phone", "email"])
def test_repeats_come_back_on_their_channel(round_trip, name):
    fit = round_trip.calibration.channels[name].repeat
    assert fit.channel == round_trip.scenario.repeat_channel(name)


def test_repeats_are_written_as_fcr(round_trip):
    written = load(round_trip.calibration.scenario_path).channels["phone"]
    fit = round_trip.calibration.channels["phone"].repeat
    assert written.repeat.probability == 1.0
    assert written.resolution_probability == pytest.approx(1 - fit.probability.value, abs=1e-4)
    assert load(round_trip.calibration.scenario_path).repeat_channel("email") == "phone"


def test_chat_concurrency_is_found(round_trip):
    truth = round_trip.scenario.channels["chat"]
    fit = round_trip.calibration.channels["chat"].concurrency
    assert fit.max_chats == truth.concurrency.max_chats
    assert fit.written == pytest.approx(truth.concurrency.speed_by_chats, abs=0.1)
    assert round_trip.calibration.channels["phone"].concurrency is None


def test_inferred_staffing_is_a_lower_bound_of_the_agents_on_duty(round_trip):
    true = pd.read_csv(round_trip.staffing_path)
    staffing = round_trip.calibration.staffing
    assert staffing.source == "inferred"
    for team in staffing.teams:
        agents = true.loc[true["channels"] == "+".join(team.channels), "agents"].to_numpy()
        assert agents.size == team.agents.size
        assert np.mean(team.agents <= agents + 1) > 0.99  # rounding may add one
        assert np.all(team.busy <= team.agents + 1)
        working = agents > 0
        assert 0.5 < team.agents[working].sum() / agents[working].sum() <= 1.0


def _estimates(node):
    if isinstance(node, dict):
        if "value" in node and "ci95" in node:
            yield node
        else:
            for value in node.values():
                yield from _estimates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _estimates(value)


def test_every_estimate_in_the_json_has_an_interval_and_a_count(round_trip):
    folder = round_trip.calibration.out_dir
    document = json.loads((folder / "calibration.json").read_text())
    estimates = list(_estimates(document))
    assert len(estimates) > 100
    for estimate in estimates:
        assert set(estimate) >= {"value", "ci95", "n", "n_of"}
        low, high = estimate["ci95"]
        assert low <= estimate["value"] <= high
        assert estimate["n"] >= 0
    assert document["log"]["rows_set_aside"] == {
        outcome: int(count)
        for outcome, count in round_trip.result.contacts["outcome"].value_counts().items()
        if outcome in ("not_offered", "unfinished") and count
    }
    assert document["scenario"]["not_expressed"]


def test_html_report_shows_the_fits(round_trip):
    page = (round_trip.calibration.out_dir / "calibration.html").read_text()
    assert page.count("data:image/png;base64,") == len(CHANNELS) + 1
    assert page.count("naive mean wait of abandoners (biased, not used)") == 2  # phone, chat
    for name in CHANNELS:
        assert f"<h2>{name} " in page


@pytest.mark.slow
def test_intervals_cover_over_many_logs(tmp_path):
    """Twelve more logs of the known scenario: each parameter's 95 % interval covers the truth
    in as many of them as Binomial(12, 0.95) allows at 99.95 %."""
    from calibrate import calibrate_log, export_replication
    from sim import simulate
    from tests.calibrate.conftest import KNOWN, RoundTrip

    scenario = load(KNOWN)
    hits: dict[str, int] = {}
    seeds = range(101, 113)
    for seed in seeds:
        result = simulate(scenario, 0, seed)
        log_path, staffing_path = export_replication(scenario, result, tmp_path / str(seed))
        calibration = calibrate_log(log_path, tmp_path / str(seed) / "out", report=False)
        trip = RoundTrip(scenario, result, log_path, staffing_path, calibration)
        for name, (estimate, truth) in _parameters(trip).items():
            hits[name] = hits.get(name, 0) + estimate.covers(truth)
    lowest = stats.binom.ppf(0.0005, len(seeds), 0.95)
    assert all(count >= lowest for count in hits.values()), hits
