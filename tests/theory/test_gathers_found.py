"""found.*: the helpers every found claim goes through (``_src``, ``_num``, ``_exp`` and the experiment wrappers)
and the reproducibility of the seeded torch gathers (a verdict must not depend on the global RNG state).
Decision edges: test_decision_edges_found.py.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import sslverify.experiments as experiments
from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.record import Source

sys.path.insert(0, str(Path(__file__).resolve().parent))
from found_evidence import patched  # noqa: E402

# ----------------------------------------------------------------------------- helpers
def test_src_names_the_seed_note_section_and_equation():
    assert fd._src("Exercise 1") == Source(fd.F, "Exercise 1", "")
    assert fd._src("Effective Rank", "Stable rank") == Source(fd.F, "Effective Rank", "Stable rank")
    assert str(fd._src("Exercise 1")) == f"{fd.F}, Exercise 1"  # no empty / placeholder equation part


def test_num_reads_sympy_strings():
    assert fd._num("1/5") == 0.2 and fd._num("2") == 2.0 and fd._num("-3/4") == -0.75
    assert fd._num("0.125") == 0.125
    assert math.isnan(fd._num("nan"))  # SymPy's nan prints "nan": a float nan, not "no number"
    assert fd._num("-2*epsilon") is None and fd._num("oo") is None and fd._num("Limit(x, x, 0)") is None


def test_exp_passes_quick_and_out_dir_through():
    calls = []

    def rec(name, quick=True, out_dir=None, **kw):
        calls.append((name, quick, out_dir))
        return {"ok": 1}

    with patched(experiments, "run_experiment", rec):
        assert fd._exp("some_experiment", False, "/some/dir") == {"ok": 1}
        fd._exp("other", True, "/d2")
    assert calls == [("some_experiment", False, "/some/dir"), ("other", True, "/d2")]


def test_experiment_wrappers_pass_their_name_quick_and_out_dir():
    for fn, frm, name in ((fd.em_predictor_evidence, "em_predictor_evidence_from", "found_em_predictor"),
                          (fd.bn_near_collapse_evidence, "bn_near_collapse_evidence_from", "found_bn_gradient"),
                          (fd.linear_byol_evidence, "linear_byol_evidence_from", "found_linear_byol")):
        for quick in (True, False):
            calls = []
            with patched(fd, "_exp", lambda n, q, o: calls.append((n, q, o)) or {"results": n}), \
                    patched(fd, frm, lambda r: {"from": r}):
                assert fn(quick, Path("/out")) == {"from": {"results": name}}
            assert calls == [(name, quick, Path("/out"))], fn.__name__


# ----------------------------------------------------------------------------- seeded gathers
def test_seeded_torch_gathers_are_reproducible():
    """Evidence is recorded and re-decided: the seeded gathers must not draw from the global RNG state."""
    import numpy as np
    import torch
    for gather in (fd._torch_sg_gradients, fd._autograd_linear_predictor):
        torch.manual_seed(1)
        np.random.seed(1)
        a = gather()
        torch.manual_seed(2)
        np.random.seed(2)
        torch.randn(7)
        b = gather()
        assert a == b, gather.__name__


def test_srank_limit_numeric_is_float64_closed_form():
    from fractions import Fraction
    n = fd.srank_limit_evidence()["numeric"]
    d, lam, eps = n["d"], Fraction(n["lambda1"]), Fraction(n["eps"])
    exact = (lam + (d - 1) * eps) ** 2 / (lam**2 + (d - 1) * eps**2)  # = 1 + 2(d−1)ε/λ₁ + O(ε²) ≈ 1 + 8e-8
    # float64 srank of 5 numbers: relative round-off ≲ 1e-15 (float32 would be off by ~1e-7, i.e. give 1.0)
    assert abs(n["srank"] - float(exact)) < 1e-14


def test_erank_evidence_values_are_float64():
    """The gathered entropy / stable ranks against an independent float64 numpy evaluation of the definitions."""
    import numpy as np
    ev = fd.erank_evidence()
    for r in ev["random"] + ev["cases"]:
        lam = np.asarray(r["eigenvalues"], dtype=np.float64)
        p = lam[lam > 0] / lam.sum()
        erank = math.exp(-float(np.sum(p * np.log(p))))
        srank = float(lam.sum() ** 2 / np.sum(lam**2))
        # float64 sums / logs of ≤ 7 terms: relative round-off ~1e-15 (float32 would be ~1e-7)
        assert abs(r["erank"] - erank) < 1e-13 * erank
        if "srank" in r:
            assert abs(r["srank"] - srank) < 1e-13 * srank
