"""Shared test set-up: hypothesis profiles and thread limits.

Profiles (select with HYPOTHESIS_PROFILE=...):
  ci        deterministic (derandomized), few examples, used by .ci/run
  dev       default for local runs: random, still small
  thorough  many examples, for a long local run
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def _forget_memoised() -> None:
    """Clear memoised derivations (functools.lru_cache), the in-process experiment cache and tests/theory's
    live evidence (module dicts ``_RUN_CACHE`` / ``_LIVE``) in sslverify and in the test modules."""
    import functools
    import sys

    tests_dir = os.path.dirname(os.path.abspath(__file__))
    for name, module in list(sys.modules.items()):
        in_tests = (getattr(module, "__file__", None) or "").startswith(tests_dir)
        if module is None or not (name.startswith("sslverify") or in_tests):
            continue
        for obj in list(vars(module).values()):
            if isinstance(obj, functools._lru_cache_wrapper):
                obj.cache_clear()
        for attr in ("_RUN_CACHE", "_LIVE"):
            cache = getattr(module, attr, None)
            if isinstance(cache, dict):
                cache.clear()


def pytest_sessionstart(session):
    """Under mutation testing every mutant must really run: forget what earlier runs memoised.

    mutmut runs each mutant's tests in a process forked from one that already imported (and collected)
    the suite; memoised derivations, the in-process experiment cache and the live evidence of
    tests/theory would otherwise hand the mutant the unmutated results.  Inert unless MUTANT_UNDER_TEST
    is set (mutmut sets it).  ``gc.freeze()``: the forked process then never walks the inherited heap
    (SymPy, torch) in a garbage collection, which would copy every page of it (copy-on-write).
    """
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    import gc

    _forget_memoised()
    gc.freeze()


def pytest_runtest_setup(item):
    """mutmut's stats run (MUTANT_UNDER_TEST=stats) records which tests execute each function, and then runs
    a mutant against those tests only: every test must compute what it needs itself, not find it memoised by
    an earlier test, or the later tests would not be recorded as covering the memoised derivation."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _forget_memoised()


@pytest.fixture(autouse=True, scope="session")
def _few_threads():
    """One compute thread per test process: the tests' tensors are small, and on a shared 2-core machine
    OpenMP threads spin-waiting for each other made tiny-tensor loops 10-100x slower (SSLVERIFY_THREADS overrides)."""
    try:
        import torch

        torch.set_num_threads(int(os.environ.get("SSLVERIFY_THREADS", "1")))
    except ImportError:  # theory-only environments
        pass
    yield
