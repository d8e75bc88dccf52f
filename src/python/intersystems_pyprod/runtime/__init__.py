"""The runtime bridge between the engine (IRIS or the test harness) and user components."""
