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


@pytest.fixture(autouse=True, scope="session")
def _few_threads():
    """Two cores on CI: keep torch from oversubscribing them."""
    try:
        import torch

        torch.set_num_threads(int(os.environ.get("SSLVERIFY_THREADS", "2")))
    except ImportError:  # theory-only environments
        pass
    yield
