"""The fingerprint changes with what is simulated, not with how many replications or the seed."""

from __future__ import annotations

from pathlib import Path

from scenarios.fingerprint import fingerprint
from scenarios.loader import load

SMALL = Path(__file__).resolve().parents[1] / "cli" / "data" / "small.yaml"


def test_replications_and_seed_leave_the_fingerprint_alone():
    base = fingerprint(load(SMALL))
    assert fingerprint(load(SMALL, ["run.replications=40", "run.seed=99"])) == base


def test_anything_simulated_changes_the_fingerprint():
    base = fingerprint(load(SMALL))
    assert fingerprint(load(SMALL, ["run.warmup=30m"])) != base
    assert fingerprint(load(SMALL, ["channels.phone.volume={per_week: 11000}"])) != base
