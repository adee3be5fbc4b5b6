"""Speed and memory of the simulation (``python benchmarks/bench_sim.py``, a few minutes).

1. M/M/50 with 45 arrivals per minute and mean service 1 min (about 200,000 contacts): our model
   (``sim.model.ContactCentre``, contact log DataFrame included) against Ciw and against a bare
   SimPy loop with one process per customer and a ``simpy.Resource``, in the same run on the same
   arrival rate and horizon. Contacts per second of wall time, best of ``--repeat`` runs.
2. The same with exponential patience (M/M/50+M, mean 2 min, 40 agents): our lazy patience
   deadline against the bare loop written the DESIGN way, ``req | env.timeout(patience)``.
3. The four-channel one-month baseline example: contacts per second, seconds per replication,
   peak traced memory of one replication (``tracemalloc``) and that peak per million logged
   contacts.
4. Replications of the baseline on 1 and 2 worker processes: the speed-up (best of
   ``--repeat``; the machine is shared, so single runs are noisy).

Prints one JSON document; ``benchmarks/README.md`` ("Simulation") records the ratios.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import simpy

from scenarios.demand import expand
from scenarios.loader import load
from sim import run_replications, simulate
from sim.arrivals import arrival_times
from sim.executors import executor
from sim.model import ContactCentre
from sim.specs import ChannelSpec, ModelInput, TeamSpec
from sim.streams import Streams
from staffing import team_rosters

BASELINE = Path(__file__).parents[1] / "scenarios" / "examples" / "baseline.yaml"
RATE_PER_S = 45 / 60
SERVICE_S = 60.0
SERVERS = 50
HORIZON_S = 200_000 / RATE_PER_S
PATIENCE_S = 120.0
SERVERS_ABANDON = 40


def _best(function, repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` calls of ``function() -> contacts``, and the contacts."""
    best, contacts = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        contacts = function()
        best = min(best, time.perf_counter() - start)
    return best, contacts


def ours(servers: int, patience_s: float | None = None) -> int:
    n = int(np.ceil(HORIZON_S / 3600.0))
    channel = ChannelSpec(
        name="phone",
        realtime=True,
        is_open=np.ones(n, bool),
        aht_s=np.full(n, SERVICE_S),
        patience_mean_s=None if patience_s is None else np.full(n, patience_s),
    )
    team = TeamSpec(name="team", channels=("phone",), scheduled=np.full(n, float(servers)))
    streams = Streams(0, 0)
    times = arrival_times(np.full(n, RATE_PER_S * 3600.0), 3600.0, streams.rng("arrivals", ""))
    inp = ModelInput(
        interval_s=3600.0,
        n_intervals=n,
        channels=(channel,),
        teams=(team,),
        arrivals={"phone": times},
    )
    return len(ContactCentre(inp, streams).run().log.frame(0, ["phone"]))


def bare_simpy(servers: int, patience_s: float | None = None) -> int:
    """One process per customer on a ``simpy.Resource``; waits appended to a list."""
    rng = np.random.default_rng(0)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=servers)
    waits: list[float] = []

    def customer(env, service_s, patience):
        arrival = env.now
        with agents.request() as request:
            if patience is None:
                yield request
            else:
                yield request | env.timeout(patience)
                if not request.triggered:
                    waits.append(env.now - arrival)
                    return
            waits.append(env.now - arrival)
            yield env.timeout(service_s)

    def source(env):
        while True:
            yield env.timeout(rng.exponential(1 / RATE_PER_S))
            patience = None if patience_s is None else rng.exponential(patience_s)
            env.process(customer(env, rng.exponential(SERVICE_S), patience))

    env.process(source(env))
    env.run(until=HORIZON_S)
    return len(waits)


def ciw_model(servers: int) -> int:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(RATE_PER_S)],
        service_distributions=[ciw.dists.Exponential(1 / SERVICE_S)],
        number_of_servers=[servers],
    )
    ciw.seed(0)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(HORIZON_S)
    return len(simulation.get_all_records())


def baseline(repeat: int, replications: int) -> dict:
    scenario = load(BASELINE)
    workload = expand(scenario)
    rosters = team_rosters(scenario, workload)

    def one() -> int:
        return len(simulate(scenario, 0, 1, workload=workload, rosters=rosters).contacts)

    seconds, contacts = _best(one, repeat)
    tracemalloc.start()
    one()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings = {}
    for workers in (1, 2):

        def run(workers=workers) -> int:
            with executor(workers=workers) as pool:
                results = run_replications(scenario, replications, 1, map_fn=pool, rosters=rosters)
                return sum(len(result.contacts) for result in results)

        timings[workers] = _best(run, repeat)[0]
    return {
        "contacts_per_replication": contacts,
        "seconds_per_replication": seconds,
        "contacts_per_s": contacts / seconds,
        "peak_traced_mb": peak / 2**20,
        "peak_mb_per_million_contacts": peak / 2**20 / contacts * 1e6,
        "replications": replications,
        "seconds_1_worker": timings[1],
        "seconds_2_workers": timings[2],
        "speedup_2_workers": timings[1] / timings[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best of)")
    parser.add_argument("--replications", type=int, default=6, help="baseline replications")
    args = parser.parse_args()
    results = {}
    for name, function in {
        "ours": lambda: ours(SERVERS),
        "bare_simpy": lambda: bare_simpy(SERVERS),
        "ciw": lambda: ciw_model(SERVERS),
        "ours_abandon": lambda: ours(SERVERS_ABANDON, PATIENCE_S),
        "bare_simpy_abandon": lambda: bare_simpy(SERVERS_ABANDON, PATIENCE_S),
    }.items():
        seconds, contacts = _best(function, 1 if name == "ciw" else args.repeat)
        results[name] = {
            "contacts": contacts,
            "seconds": seconds,
            "contacts_per_s": contacts / seconds,
        }
    rate = {name: r["contacts_per_s"] for name, r in results.items()}
    results["ratios"] = {
        "ours_over_ciw": rate["ours"] / rate["ciw"],
        "bare_simpy_over_ours": rate["bare_simpy"] / rate["ours"],
        "ours_over_bare_simpy_abandon": rate["ours_abandon"] / rate["bare_simpy_abandon"],
    }
    results["baseline"] = baseline(args.repeat, args.replications)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
