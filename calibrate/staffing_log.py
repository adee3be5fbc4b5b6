"""Staffing per team and interval: inferred from agent activity, or read from a staffing file.

**Teams.** Channels that share an agent in the log are served by one blended team (connected
components of the agent-channel graph); in priority order realtime channels come first, then
by median wait of the answered contacts (the channel served first waits least).

**Inferred staffing** (log with an ``agent`` column). An agent is taken to be on duty from the
answer of a contact to the end of the last one of a *session*: contacts that follow each other
with gaps of at most ``gap_s`` (default 30 min); agents on duty per interval are the
agent-seconds of those sessions in the interval over its length, rounded. Its bias, stated in
``calibration.json``: it is a **lower bound** of the agents taking contacts -- idle time
before the first and after the last contact of a session, and idle gaps longer than ``gap_s``
(quiet hours, low occupancy), are not seen -- while breaks shorter than ``gap_s`` count as on
duty. The busy agents (agent-seconds with at least one contact, a chat agent holding several
counted once) are a lower bound of that again, and are reported beside it.

**Staffing file** (``--staffing FILE``): CSV with ``interval_start`` (ISO local date-time on the
interval grid), ``agents`` (whole agents taking contacts, i.e. after shrinkage) and optionally
``channels`` (a team's channels joined with ``+``, e.g. ``email+social``; without it one team
serves every channel). Intervals not listed have no agents; rows outside the log's days are
ignored.

Either way the agents are those taking contacts: the scenario gets shrinkage 0 % and rosters of
these agents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from calibrate.grid import SECONDS_PER_DAY, answer_s
from calibrate.logformat import MAX_PROBLEMS, LogError, LogProblem
from calibrate.reader import ContactLog

__all__ = [
    "DEFAULT_GAP_S",
    "Staffing",
    "Team",
    "busy_seconds",
    "infer_staffing",
    "read_staffing",
    "span_seconds",
]

DEFAULT_GAP_S = 1800.0
INFERRED_METHOD = (
    "agents on duty = agent-seconds of work sessions (contacts of one agent with gaps of at "
    "most {gap} min, from the first answer to the last end) per interval, rounded"
)
INFERRED_BIAS = (
    "lower bound: idle time before the first and after the last contact of a session, and "
    "idle gaps over {gap} min, are not seen; breaks under {gap} min count as on duty"
)


@dataclass(frozen=True)
class Team:
    """One team: its channels in priority order, agents taking contacts per interval of the
    log (int64) and busy agents per interval (float64; None from a staffing file)."""

    name: str
    channels: tuple[str, ...]
    agents: np.ndarray
    busy: np.ndarray | None


@dataclass(frozen=True)
class Staffing:
    """The teams, where their numbers come from (``inferred`` or ``file``), and for inferred
    staffing the method and its bias."""

    teams: tuple[Team, ...]
    source: str
    method: str
    bias: str

    def team_of(self, channel: str) -> Team:
        return next(team for team in self.teams if channel in team.channels)


def span_seconds(starts, ends, n_slots: int, interval_s: float) -> np.ndarray:
    """Seconds of the spans ``[starts, ends)`` inside each interval ``0 .. n_slots-1``, summed
    over spans: ``F(b) = Σ_{s<b}(b - s) - Σ_{e<b}(b - e)`` at the interval bounds ``b``,
    differenced (sorting and cumulative sums, no loop over spans)."""
    bounds = np.arange(n_slots + 1, dtype=np.float64) * interval_s
    covered = np.zeros(n_slots + 1)
    for values, sign in ((starts, 1.0), (ends, -1.0)):
        values = np.sort(np.asarray(values, np.float64))
        cumulative = np.r_[0.0, np.cumsum(values)]
        k = np.searchsorted(values, bounds)
        covered += sign * (bounds * k - cumulative[k])
    return np.diff(covered)


def _sessions(agent, start, end, gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Spans of each agent's contacts, merged when a contact starts at most ``gap_s`` after
    the latest end so far of the same agent."""
    order = np.lexsort((start, agent))
    agent, start, end = agent[order], start[order], end[order]
    if start.size == 0:
        return start, end
    latest = pd.Series(end).groupby(agent).cummax().to_numpy()
    new = np.r_[True, (agent[1:] != agent[:-1]) | (start[1:] > latest[:-1] + gap_s)]
    firsts = np.flatnonzero(new)
    return start[firsts], np.maximum.reduceat(end, firsts)


def busy_seconds(answered: pd.DataFrame, n_slots: int, interval_s: float) -> np.ndarray:
    """Agent-seconds with at least one contact per interval (overlapping contacts of one agent
    counted once), from answered contacts with ``agent``, ``arrival_s``, ``wait_s``,
    ``end_s``."""
    starts, ends = _sessions(
        answered["agent"].to_numpy(np.int64),
        answer_s(answered),
        answered["end_s"].to_numpy(np.float64),
        0.0,
    )
    return span_seconds(starts, ends, n_slots, interval_s)


def _priority(log: ContactLog, channels, kinds: Mapping[str, str]) -> tuple[str, ...]:
    answered = log.contacts[log.contacts["outcome"] == "answered"]
    waits = answered.groupby("channel", observed=True)["wait_s"].median()
    return tuple(
        sorted(channels, key=lambda c: (kinds[c] != "realtime", float(waits.get(c, np.inf)), c))
    )


def _components(answered: pd.DataFrame, channels: tuple[str, ...]) -> list[tuple[str, ...]]:
    codes = pd.Categorical(answered["channel"].astype(str), categories=list(channels)).codes
    codes = codes.astype(np.int64)
    agent = answered["agent"].to_numpy(np.int64)
    n_agents = int(agent.max()) + 1 if agent.size else 0
    graph = coo_matrix(
        (np.ones(agent.size), (agent, n_agents + codes)),
        shape=(n_agents + len(channels),) * 2,
    )
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for k, channel in enumerate(channels):
        groups.setdefault(int(labels[n_agents + k]), []).append(channel)
    return [tuple(group) for group in groups.values()]


def infer_staffing(
    log: ContactLog, kinds: Mapping[str, str], interval_s: float, gap_s: float = DEFAULT_GAP_S
) -> Staffing:
    """Teams and agents per interval of the whole log from its agents' activity."""
    contacts = log.contacts
    answered = contacts[(contacts["outcome"] == "answered")]
    nameless = answered["agent"] < 0
    if nameless.any():
        row = answered.loc[nameless, "row"].iloc[0]
        raise LogError(
            [
                LogProblem(
                    log.source,
                    int(row),
                    "agent",
                    f"{int(nameless.sum())} answered contacts have no agent, so staffing "
                    "cannot be inferred; give a staffing file (--staffing)",
                )
            ]
        )
    n_slots = round(log.n_days * SECONDS_PER_DAY / interval_s)
    teams = []
    for group in _components(answered, log.channels):
        rows = answered[answered["channel"].isin(group)]
        start = answer_s(rows)
        agent = rows["agent"].to_numpy(np.int64)
        end = rows["end_s"].to_numpy(np.float64)
        present = span_seconds(*_sessions(agent, start, end, gap_s), n_slots, interval_s)
        busy = busy_seconds(rows, n_slots, interval_s) / interval_s
        channels = _priority(log, group, kinds)
        teams.append(
            Team(
                "_".join(channels),
                channels,
                np.round(present / interval_s).astype(np.int64),
                busy,
            )
        )
    gap = f"{gap_s / 60:g}"
    return Staffing(
        tuple(teams),
        "inferred",
        INFERRED_METHOD.format(gap=gap),
        INFERRED_BIAS.format(gap=gap),
    )


def _file_problem(file: str, row: int | None, column: str | None, message: str, value=None):
    return LogError([LogProblem(file, row, column, message, value)])


def _staffing_table(path: Path) -> pd.DataFrame:
    file = str(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise _file_problem(file, None, None, "file not found") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise _file_problem(file, None, None, f"cannot read the file ({error})") from None
    missing = [c for c in ("interval_start", "agents") if c not in table.columns]
    if missing:
        raise _file_problem(
            file, None, missing[0], f"no such column; the file has {', '.join(table.columns)}"
        )
    return table


def read_staffing(
    path: str | Path, log: ContactLog, kinds: Mapping[str, str], interval_s: float
) -> Staffing:
    """Teams and agents per interval of the log's days from a staffing file (module
    docstring). Every bad cell is reported with its row and column."""
    path = Path(path)
    file = str(path)
    table = _staffing_table(path)
    problems: list[LogProblem] = []
    times = pd.to_datetime(table["interval_start"].str.strip(), format="ISO8601", errors="coerce")
    bad_time = times.isna().to_numpy()
    offset = (times - pd.Timestamp(log.start)).dt.total_seconds().to_numpy() / interval_s
    slot = np.where(bad_time, -1, np.floor(np.nan_to_num(offset))).astype(np.int64)
    off_grid = ~bad_time & (offset != np.floor(np.nan_to_num(offset)))
    agents = pd.to_numeric(table["agents"].str.strip(), errors="coerce").to_numpy()
    bad_agents = ~(np.isfinite(agents) & (agents >= 0) & (agents == np.floor(agents)))
    labels = {label: name for name, label in log.channel_labels.items()}
    labels.update({name: name for name in log.channels})
    groups = (
        table["channels"].str.strip()
        if "channels" in table.columns
        else pd.Series(["+".join(log.channels)] * len(table))
    )

    def problem(row: int, column: str, message: str) -> None:
        problems.append(LogProblem(file, row + 1, column, message, table[column].iloc[row]))

    known_groups = {g: all(c.strip() in labels for c in g.split("+")) for g in set(groups)}
    for row in range(len(table)):
        if len(problems) >= MAX_PROBLEMS:
            break
        if bad_time[row]:
            problem(row, "interval_start", "not an ISO date-time")
        elif off_grid[row]:
            problem(row, "interval_start", f"not on the {interval_s / 60:g}-minute interval grid")
        if bad_agents[row]:
            problem(row, "agents", "must be a whole number >= 0")
        if not known_groups[groups.iloc[row]]:
            problem(
                row,
                "channels",
                f"names a channel not in the log ({', '.join(log.channel_labels.values())})",
            )
    if problems:
        raise LogError(problems)
    team_of_row = groups.map(lambda g: tuple(sorted(labels[c.strip()] for c in g.split("+"))))
    owner: dict[str, tuple[str, ...]] = {}
    for group in dict.fromkeys(team_of_row):
        for channel in group:
            if channel in owner:
                raise _file_problem(
                    file,
                    None,
                    "channels",
                    f"channel {channel} is in two teams: "
                    f"{'+'.join(owner[channel])} and {'+'.join(group)}",
                )
            owner[channel] = group
    unstaffed = sorted(set(log.channels) - set(owner))
    if unstaffed:
        raise _file_problem(
            file, None, "channels", f"no staffing for channel(s) {', '.join(unstaffed)} of the log"
        )
    n_slots = round(log.n_days * SECONDS_PER_DAY / interval_s)
    inside = (slot >= 0) & (slot < n_slots)
    teams = []
    for group in dict.fromkeys(team_of_row):
        mine = inside & (team_of_row == group).to_numpy()
        counts = np.bincount(slot[mine], minlength=n_slots)
        if counts.max(initial=0) > 1:
            twice = int(np.flatnonzero(counts > 1)[0])
            row = int(np.flatnonzero(mine & (slot == twice))[1])
            raise _file_problem(
                file,
                row + 1,
                "interval_start",
                "interval given twice for the same team",
                table["interval_start"].iloc[row],
            )
        roster = np.zeros(n_slots, dtype=np.int64)
        roster[slot[mine]] = agents[mine].astype(np.int64)
        channels = _priority(log, group, kinds)
        teams.append(Team("_".join(channels), channels, roster, None))
    return Staffing(tuple(teams), "file", f"read from {file}", "as given")
