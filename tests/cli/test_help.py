"""The help of every command: rich panels with types and [required], a usage line that names
arguments as people write them."""

from __future__ import annotations

import re

import pytest

COMMANDS = ("validate", "demand", "erlang", "staff", "run", "check", "batch", "compare", "sweep")


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_names_arguments_plainly(ccplan, command):
    done = ccplan(command, "--help")
    assert done.code == 0
    usage = next(line for line in done.out.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage
    assert f"{command} [OPTIONS]" in usage


def test_run_help_shows_types_and_required(ccplan):
    out = ccplan("run", "--help").out
    assert re.search(r"SCENARIO\s+<str>\s+Scenario YAML file\.\s+\[required\]", out)
    assert re.search(r"--replications\s+<int>", out)
    assert "--fail-if" in out and "--xlsx" in out and "contract.clauses.email_sla" in out
    assert re.search(r"run \[OPTIONS\] SCENARIO\s*$", out.split("Usage:")[1].splitlines()[0])
    check = ccplan("check", "--help").out
    assert re.search(r"--fail-if\s+'METRIC OP NUMBER'.*\[required\]", check, re.S)
