"""The simulation: a SimPy model of the contact centre, one replication at a time.

``simulate(scenario, replication, seed)`` returns the contact, agent and outage logs of one
replication (:class:`ReplicationResult`); ``run_replications`` runs many on any executor with
the same results whatever the number of workers. Both take ``engine="numba"`` to run the same
model on compiled kernels (:mod:`sim.compiled`), with identical logs.
"""

from sim.runner import MapFn, ReplicationResult, run_replications, simulate

__all__ = ["MapFn", "ReplicationResult", "run_replications", "simulate"]
