"""Benchmark of the staffing engine: a year of 15-minute intervals, 80 % within 20 s.

Run with ``python benchmarks/bench_staffing.py`` (pyworkforce from the ``bench`` extra). It
prints a Markdown table of the numbers reported in ``benchmarks/README.md``:

- Erlang C staffing of 35,040 intervals (loads 5..500 Erlang, AHT 180 s) against
  pyworkforce's ``ErlangC.required_positions`` called in a loop over the same intervals in the
  same run, with the answers compared;
- Erlang A staffing (exponential patience 120 s) of the same year;
- the first call in a fresh process with an empty Numba cache (compilation included), and in
  a second process with the cache filled, with Numba's cache hit and miss counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

INTERVALS = 35_040
INTERVAL_S = 900.0
AHT_S = 180.0
PATIENCE_S = 120.0
TARGET_SL = 0.8
THRESHOLD_S = 20.0
REPEATS = 7

_FIRST_CALL = """
import json, time
t0 = time.perf_counter()
import staffing
from staffing import _kernels
t1 = time.perf_counter()
staffing.required_agents([3600.0, 36000.0], 180.0, target_sl=0.8, threshold_s=20.0)
staffing.required_agents([3600.0, 36000.0], 180.0, target_sl=0.8, threshold_s=20.0,
                         patience_s=120.0)
t2 = time.perf_counter()
stats = _kernels.required_erlang_kernel.stats
print(json.dumps({"import_s": t1 - t0, "first_calls_s": t2 - t1,
                  "cache_hits": sum(stats.cache_hits.values()),
                  "cache_misses": sum(stats.cache_misses.values())}))
"""


def year_of_loads(seed: int = 2027) -> np.ndarray:
    """Offered loads of a year of 15-minute intervals between 5 and 500 Erlang.

    A daily double-peaked profile, weekday and seasonal factors and 5 % interval noise,
    scaled to reach 500 Erlang at the yearly peak and floored at 5 Erlang.
    """
    rng = np.random.default_rng(seed)
    index = np.arange(INTERVALS)
    hour = (index % 96) / 4.0
    day = index // 96
    daily = np.exp(-0.5 * ((hour - 11.0) / 2.5) ** 2) + 0.8 * np.exp(-0.5 * ((hour - 16) / 2) ** 2)
    weekday = np.where(day % 7 < 5, 1.0, 0.55)
    season = 1.0 + 0.25 * np.cos(2 * np.pi * (day - 340) / 365)
    raw = daily * weekday * season * rng.gamma(400.0, 1 / 400.0, INTERVALS)
    return np.clip(5.0 + 495.0 * raw / raw.max(), 5.0, 500.0)


def _best_time(function, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _pyworkforce_year(load: np.ndarray) -> tuple[float, np.ndarray]:
    from pyworkforce.queuing import ErlangC

    interval_min, aht_min = INTERVAL_S / 60.0, AHT_S / 60.0
    start = time.perf_counter()
    positions = np.array(
        [
            ErlangC(
                transactions=a * interval_min / aht_min,
                aht=aht_min,
                asa=THRESHOLD_S / 60.0,
                interval=interval_min,
            ).required_positions(service_level=TARGET_SL)["raw_positions"]
            for a in load
        ]
    )
    return time.perf_counter() - start, positions


def _fresh_process(cache_dir: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        cold = _fresh_process(cache_dir)
        warm = _fresh_process(cache_dir)

    import staffing

    load = year_of_loads()
    rate = load * 3600.0 / AHT_S
    targets = {"target_sl": TARGET_SL, "threshold_s": THRESHOLD_S}
    staffing.required_agents(rate[:10], AHT_S, **targets)
    staffing.required_agents(rate[:10], AHT_S, patience_s=PATIENCE_S, **targets)
    c_s, c_agents = _best_time(lambda: staffing.required_agents(rate, AHT_S, **targets))
    a_s, a_agents = _best_time(
        lambda: staffing.required_agents(rate, AHT_S, patience_s=PATIENCE_S, **targets)
    )
    pw_s, pw_agents = _pyworkforce_year(load)
    agree = int((pw_agents == c_agents).sum())

    rows = [
        ("intervals (loads 5..500 Erlang, AHT 180 s, 80 % in 20 s)", f"{INTERVALS:,}"),
        ("Erlang C staffing, year, best of 7", f"{c_s * 1e3:.1f} ms"),
        ("pyworkforce ErlangC loop, year, once", f"{pw_s:.2f} s"),
        ("speed-up of Erlang C over pyworkforce", f"{pw_s / c_s:,.0f} x"),
        ("same agents as pyworkforce", f"{agree:,} of {pw_agents.size:,}"),
        ("Erlang A staffing (patience 120 s), year, best of 7", f"{a_s * 1e3:.0f} ms"),
        ("Erlang A agents below Erlang C (mean)", f"{(c_agents - a_agents).mean():.2f}"),
        ("fresh process, empty cache: import", f"{cold['import_s']:.2f} s"),
        ("fresh process, empty cache: first calls (C and A)", f"{cold['first_calls_s']:.2f} s"),
        ("second process, cache filled: import", f"{warm['import_s']:.2f} s"),
        ("second process, cache filled: first calls", f"{warm['first_calls_s']:.3f} s"),
        (
            "search kernel cache hits / misses, first and second process",
            f"{cold['cache_hits']}/{cold['cache_misses']}, "
            f"{warm['cache_hits']}/{warm['cache_misses']}",
        ),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
