"""Hypothesis settings shared by the fuzz tests: the same examples on every run (derandomized,
no example database), no deadline (a page may be slow on a loaded machine), and function-scoped
fixtures allowed (each example reuses the test's client and records)."""

from hypothesis import HealthCheck, settings


def repeatable(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
