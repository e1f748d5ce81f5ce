"""Evidence for the decision tests: a recorded fixture where one exists, else gathered live (once per session).

Gathering live is for fast evidence (symbolic derivations, small numerics); a check whose evidence
runs an experiment must have a recorded fixture (``python -m sslverify.verdicts.evidence ID``), so
that ``pytest tests/theory`` stays within its 60 s budget.
"""
from __future__ import annotations

import copy

import pytest

from sslverify.verdicts.evidence import load_fixture

_LIVE: dict[str, dict] = {}


@pytest.fixture(scope="session")
def evidence_of(tmp_path_factory):
    """evidence_of(claim) -> a fresh (deep-copied) evidence dict for the claim's decision."""
    root = tmp_path_factory.mktemp("evidence")

    def get(rec) -> dict:
        fx = load_fixture(rec.id)
        if fx is not None:
            return copy.deepcopy(fx)
        if rec.id not in _LIVE:
            _LIVE[rec.id] = rec.gather_evidence(quick=True, out_dir=root)
        return copy.deepcopy(_LIVE[rec.id])

    return get
