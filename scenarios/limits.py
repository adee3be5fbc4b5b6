"""Plausibility limits: inputs no contact centre has, refused with one line before any work.

Each limit is far above real operations, and low enough that the work it allows stays bounded
(memory per replication, time of the queueing series). They are checked where the input enters:
the schema (fields), the data files (:mod:`scenarios.interval_csv`), the loaded scenario
(:mod:`scenarios.data_checks`), the staffing functions and the run settings.
"""

from __future__ import annotations

__all__ = [
    "MAX_AGENTS",
    "MAX_ARRIVALS_PER_PATIENCE",
    "MAX_CONTACTS_PER_REPLICATION",
    "MAX_EUR",
    "MAX_HORIZON_DAYS",
    "MAX_OFFERED_LOAD_ERLANG",
    "MAX_REPLICATIONS",
    "MAX_SEED",
]

MAX_AGENTS = 100_000
"""Most agents of one team, or on duty in one interval (the largest centres seat ~10,000)."""
MAX_CONTACTS_PER_REPLICATION = 5_000_000
"""Most expected contacts in one replication, over every channel (about 1 GB of contact log;
the largest centres take a few million contacts a month)."""
MAX_OFFERED_LOAD_ERLANG = 50_000.0
"""Largest offered load of one queue in one interval, in Erlang."""
MAX_ARRIVALS_PER_PATIENCE = 1e6
"""Most arrivals within one mean patience, ``λ·patience``: the Erlang A series has about that
many terms, so this bounds its time (a real queue has a few thousand at most)."""
MAX_HORIZON_DAYS = 731
"""Longest horizon, two years: an 18-month weekly capacity plan (``ccplan hire``) fits from any
start date. A simulated run is bounded by ``MAX_CONTACTS_PER_REPLICATION`` instead: the weekly
capacity model does not simulate every contact, and its verification simulates only the weeks
that matter."""
MAX_REPLICATIONS = 10_000
"""Most replications of one run."""
MAX_SEED = 2**63 - 1
"""Largest root seed."""
MAX_EUR = 1e12
"""Largest amount of money in a scenario: a thousand billion euros."""
