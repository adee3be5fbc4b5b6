"""Chat concurrency: how many contacts an agent holds at once, and how each one slows down.

The model (``scenarios/README.md``, ``concurrency``) gives each of ``k`` chats held by an agent
the speed ``s_k`` (``s_1 = 1``), so that with a mean work of ``m`` seconds alone a chat held
among ``k`` ends at rate ``s_k / m`` and the agent's throughput is ``k·s_k / m`` (Tezcan and
Zhang 2014). Following each agent through the log, let ``T_k`` be the agent-time spent holding
``k`` chats and ``D_k`` the chats that ended while ``k`` were held. For exponential work the
completions at level ``k`` are a Poisson process of rate ``k·s_k/m``, so the maximum-likelihood
estimates are

    rate_k = D_k / (k·T_k),    m̂ = 1 / rate_1,    ŝ_k = rate_k / rate_1,

with ``Var(log rate_k) ≈ 1/D_k`` (intervals on the log scale). For other work distributions
they are moment estimates of throughput. The speeds written are made to follow the schema's
rules: at most 1, and throughput ``k·s_k`` never falling as ``k`` grows (a falling step is held
level). The number of chats ``K`` is the largest held at an answer by at least 0.1 % of the
answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calibrate.estimate import Estimate, log_scale
from calibrate.grid import answer_s

__all__ = ["MAX_CHATS", "ConcurrencyFit", "fit_concurrency"]

MAX_CHATS = 20
MIN_SHARE = 0.001


@dataclass(frozen=True)
class ConcurrencyFit:
    """``max_chats`` K, the work mean ``m`` (one chat handled alone, seconds), the estimated
    speeds ``s_1..s_K`` and the speeds written (schema rules applied)."""

    max_chats: int
    work_mean_s: Estimate
    speeds: tuple[Estimate, ...]
    written: tuple[float, ...]


def _levels(rows: pd.DataFrame):
    """Per agent event sequence: (held after each event, step, time) sorted, and agent ids."""
    start = answer_s(rows)
    end = rows["end_s"].to_numpy(np.float64)
    agent = np.r_[rows["agent"].to_numpy(), rows["agent"].to_numpy()].astype(np.int64)
    time = np.r_[start, end]
    step = np.r_[np.ones(start.size, np.int64), -np.ones(end.size, np.int64)]
    order = np.lexsort((step, time, agent))  # at equal times an end comes before a start
    agent, time, step = agent[order], time[order], step[order]
    held = pd.Series(step).groupby(agent).cumsum().to_numpy()
    return agent, time, step, held


def fit_concurrency(rows: pd.DataFrame) -> ConcurrencyFit | None:
    """Concurrency of the answered contacts ``rows`` of one channel (with agents); None when
    agents never hold two at once."""
    rows = rows[rows["agent"] >= 0]
    if rows.empty:
        return None
    agent, time, step, held = _levels(rows)
    at_answer = held[step > 0]
    share = np.bincount(at_answer) / at_answer.size
    k_max = int(min(np.flatnonzero(share >= MIN_SHARE).max(), MAX_CHATS))
    if k_max <= 1:
        return None
    same = agent[1:] == agent[:-1]
    spell = np.where(same, np.diff(time), 0.0)
    time_at = np.bincount(held[:-1], weights=spell, minlength=k_max + 2)
    ended_at = np.bincount(held[step < 0] + 1, minlength=k_max + 2)
    levels = np.arange(1, k_max + 1)
    completions = ended_at[levels].astype(float)
    rate = completions / (levels * time_at[levels])
    work = log_scale(
        1.0 / rate[0], 1.0 / math.sqrt(completions[0]), int(completions[0]), "chats ended alone"
    )
    speeds = tuple(
        log_scale(
            rate[i] / rate[0],
            math.sqrt(1 / completions[i] + 1 / completions[0]),
            int(completions[i]),
            f"chats ended among {i + 1}",
        )
        for i in range(k_max)
    )
    written = [1.0]
    for k in range(2, k_max + 1):
        throughput = max(k * speeds[k - 1].value, (k - 1) * written[-1])
        written.append(min(throughput / k, 1.0))
    return ConcurrencyFit(k_max, work, speeds, tuple(float(f"{s:.4g}") for s in written))
