"""Evidence and patching for the plain (fixture-free) found.* test functions of tests/theory, written once.

``ev_of(cid)``: a fresh copy of the claim's recorded fixture, else of its (fast) gather, run once per session and
shared with tests/theory/conftest.py's live-evidence cache.  ``patched``: set an attribute for a ``with`` block.
"""
from __future__ import annotations

import copy
import sys
from contextlib import contextmanager

from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import jsonable, load_fixture

_CACHE: dict[str, dict] = {}


def _live_cache() -> dict:
    """tests/theory/conftest.py's session cache of live evidence when pytest loaded it (gathers run once per session)."""
    for m in list(sys.modules.values()):
        if str(getattr(m, "__file__", "")).endswith("conftest.py") and isinstance(getattr(m, "_LIVE", None), dict):
            return m._LIVE
    return _CACHE


def ev_of(cid: str) -> dict:
    """A fresh copy of the evidence of claim ``cid``: its recorded fixture, else its (fast) gather, run once."""
    cache = _live_cache()
    if cid not in cache:
        fx = load_fixture(cid)
        if fx is None:
            gathers = {"found.collapse-iff": fd.collapse_iff_evidence, "found.srank": fd.srank_evidence,
                       "found.erank": fd.erank_evidence, "found.srank-limit": fd.srank_limit_evidence,
                       "found.sg-no-predictor": fd.sg_no_predictor_evidence, "found.sg-hessian": fd.sg_hessian_evidence,
                       "found.em-gaussian": fd.em_gaussian_evidence,
                       "found.linear-predictor": fd.linear_predictor_evidence,
                       "found.simplex-etf": fd.simplex_etf_evidence, "found.log-n-dims": fd.log_n_dims_evidence,
                       "found.bn-variance": fd.bn_variance_evidence,
                       "found.bn-collapse-gradient": fd.bn_collapse_gradient_evidence}
            fx = jsonable(gathers[cid]())
        cache[cid] = fx
    return copy.deepcopy(cache[cid])


@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)
