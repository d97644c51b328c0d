"""The RIPH1 walk of the tests that drive the real stack over HTTP: the shared scenario
(scenarios.riph1_walk), every legal date on one day."""

from scenarios import riph1_walk

__all__ = ["riph1_walk"]
