"""rusak.*: the evidence functions (gathers), run under the proof checker.

tests/theory decides lemma 5 / lemma 7 / prop. 2 / prop. 3 on recorded fixtures, so their gathers (which
settings they pass to the dynamics, which numbers they keep) never ran under the proof checker.  Here they
run: at the fixture's own (quick) size where that is cheap, compared with the committed fixture AND with
closed forms derived here (λ_k = 2σ_z² − σ_k², σ_z² = 1/12, rates λ_k (AᵀA)_kk); at a reduced size
otherwise, with the slow symbolic derivation replaced by a recording stand-in (its own tests live in
test_rusak_first_order.py) so that what the gather does with it is visible.  Decision edges:
test_decision_edges_rusak.py.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from sslverify.numerics.sizes import sizes
from sslverify.verdicts.builtin import rusak
from sslverify.verdicts.evidence import load_fixture
from sslverify.verdicts.registry import builtin_claims

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_snapshots import differences  # noqa: E402

CLAIMS = builtin_claims()
SZ2 = 1.0 / 12.0  # σ_z² of U[0, 1]


def verdict(cid: str, evidence: dict) -> str:
    return CLAIMS[cid].decide(evidence).verdict


def close(a, b, rel):
    return all(math.isclose(x, y, rel_tol=rel) for x, y in zip(a, b, strict=True))


class _Residuals:
    """Recording stand-in for first_order.first_order_residuals: distinct full / detached results, so a gather
    that reads the wrong one (or passes other sizes than the d = 2, N = 3 derivation) shows."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return {"d": 2, "N": 3, "M": 2,
                "full": {"residual_zero": True, "source_eq5_residual_zero": False, "mu_free": True},
                "detached": {"residual_zero": False, "source_eq5_residual_zero": True, "mu_free": False}}


@pytest.fixture
def residuals(monkeypatch):
    from sslverify.theory.rusak import first_order
    stub = _Residuals()
    monkeypatch.setattr(first_order, "first_order_residuals", stub)
    return stub



# ----------------------------------------------------------------------------- lemma 7 gather
def test_lemma7_gather(residuals):
    ev = rusak.lemma7_evidence(quick=True)
    assert residuals.calls == [((2, 3), {})]
    assert ev["symbolic_flow_ok"] is True  # the FULL-gradient residual (the stand-in's detached one is False)
    # the committed fixture was gathered at the quick size (seeded: reproducible to round-off, test_snapshots' 1e-6)
    recorded = load_fixture("rusak.lemma7")
    recorded["symbolic_flow_ok"] = True
    assert not differences(recorded, ev)
    # closed forms, σ_c = 0, σ_s = 0.2, d_c = 1: λ = (1/6, 2/12 − 0.04, 2/12 − 0.04)
    lam = np.array([2 * SZ2, 2 * SZ2 - 0.04, 2 * SZ2 - 0.04])
    for key, colnorm2 in (("orthogonal", np.ones(3)), ("diag_1_2_2", np.array([1.0, 4.0, 4.0]))):
        pred = lam * colnorm2
        assert close(ev[key]["predicted"], pred, 1e-12)  # exact arithmetic in float64
        ex = ev["exact"][key]
        assert math.isclose(ex["content_mean"], pred[0], rel_tol=1e-12)
        assert math.isclose(ex["style_mean"], pred[1], rel_tol=1e-12)
        # eq. 15: A diag(σ_z² − σ_k²) Aᵀ, eigenvalues in decreasing order
        eig = sorted(colnorm2 * np.array([SZ2, SZ2 - 0.04, SZ2 - 0.04]), reverse=True)
        assert close(ex["eq15_eigenvalues"], eig, 1e-9)  # rationals through SymPy eigenvals, float64 out
        # Monte Carlo rates (150 batches of 65 pairs, ~1%): within 5% of the first-order prediction
        assert close(ev[key]["rates"], pred, 0.05)
        assert ev[key]["content_mean"] == ev[key]["rates"][0]
        assert math.isclose(ev[key]["style_mean"], np.mean(ev[key]["rates"][1:]), rel_tol=1e-12)
    assert set(ev) == {"orthogonal", "diag_1_2_2", "exact", "symbolic_flow_ok"}
    assert set(ev["orthogonal"]) == {"rates", "predicted", "content_mean", "style_mean"}


# ----------------------------------------------------------------------------- prop 2 gather
def test_prop2_gather():
    ev = rusak.prop2_evidence(quick=True)
    assert not differences(load_fixture("rusak.prop2"), ev)
    assert ev["d_c"] == 1
    # exact first-order flow per unit εM at W = ε A⁻¹ is Λ' Aᵀ (diagonal here): singular values |λ_k| A_kk
    lam = np.array([2 * SZ2, 2 * SZ2 - 0.04, 2 * SZ2 - 0.04])
    assert close(ev["exact_orthogonal_sv"], sorted(lam, reverse=True), 1e-9)  # SymPy sqrt of exact eigenvalues
    assert close(ev["exact_skew_sv"], sorted(lam * [1, 2, 2], reverse=True), 1e-9)
    # Monte Carlo singular values (150 batches): the largest within 5% of the exact one
    assert math.isclose(ev["orthogonal_sv"][0], lam[0], rel_tol=0.05)
    assert math.isclose(ev["skew_sv"][0], 2 * lam[1], rel_tol=0.05)
    # the unaligned encoder W = 1e-3·(random): the flow M W(2Σ_x − Σ_x~) is of order 1e-3·64·(2/12) ≈ 0.01 (loose
    # bounds: its exact value is pinned by the fixture above)
    assert len(ev["random_W_sv"]) == 3 and 1e-3 < ev["random_W_sv"][0] < 0.1


# ----------------------------------------------------------------------------- lemma 5 gather (reduced size)
def test_lemma5_gather(residuals, monkeypatch):
    from sslverify.theory.rusak import dynamics
    # sizes of our own, different for quick and default, so the gather must pass the quick ones through
    monkeypatch.setattr(rusak, "LEMMA5_SIZES", sizes(Ms=(3, 5), reps=2, quick=dict(Ms=(2, 4), reps=3)))
    ev = rusak.lemma5_evidence(quick=True)
    assert residuals.calls == [((2, 3), {})]
    stub = _Residuals()(2, 3)
    assert ev["symbolic"] == {"full": stub["full"], "detached": stub["detached"]}
    rows = ev["rows"]
    assert sorted((r["scale"], r["M"], r["autograd"]) for r in rows) == sorted(
        (s, M, ag) for s in (1e-2, 1.0) for M in (2, 4) for ag in ("full", "detached negatives"))
    # the table at those sizes (3 batches per M): the gather keeps every row and convention as computed
    assert not differences(dynamics.lemma5_table(Ms=(2, 4), reps=3), rows)
    # the exact M → ∞ limit (quadrature, no sampling, independent of the sizes) is the fixture's
    assert not differences(load_fixture("rusak.lemma5")["large_M"], ev["large_M"])
    assert ev["large_M"]["small"]["scale"] == 0.01 and ev["large_M"]["big"]["scale"] == 1.0
    # at ‖WA‖ = 0.01 the first-order formulas are exact up to O(‖WA‖²) = 1e-4 relative; at ‖WA‖ = 1 off by > 10%
    assert all(ev["large_M"]["small"][k] < 1e-4 for k in ("err_full", "err_detached"))
    assert all(ev["large_M"]["big"][k] > 0.1 for k in ("err_full", "err_detached"))
    assert set(ev["large_M"]["small"]) == {"scale", "err_full", "err_detached"}


# ----------------------------------------------------------------------------- prop 3 gather (reduced size)
def test_prop3_gather(residuals, monkeypatch):
    monkeypatch.setattr(rusak, "PROP3_SIZES", sizes(taus=5, reps=4, quick=dict(taus=3, reps=10)))
    ev = rusak.prop3_evidence(quick=True)
    assert residuals.calls == [((2, 3), {})]
    assert ev["symbolic_tau_flow_ok"] is True  # the full-gradient residual
    assert close(ev["taus"], [0.1, 1.0, 10.0], 1e-12)  # the quick grid: 3 log-spaced τ_c from 0.1 to 10
    # λ_c/λ_s with σ_c = 0.05, σ_s = 0.25: full (2/12 − 0.0025)/(2/12 − 0.0625) = 197/125, detached (1/12 − ...)
    full = (2 * SZ2 - 0.05**2) / (2 * SZ2 - 0.25**2)
    detached = (SZ2 - 0.05**2) / (SZ2 - 0.25**2)
    assert math.isclose(full, 1.576) and math.isclose(detached, 3.88)
    assert math.isclose(ev["exact_equalizing"]["full"], full, rel_tol=1e-12)  # exact rationals → float64
    assert math.isclose(ev["exact_equalizing"]["detached"], detached, rel_tol=1e-12)
    assert set(ev["exact_equalizing"]) == {"full", "detached"}
    # the autograd ratio content/style at τ_c is (λ_c/τ_c)/λ_s to first order; Monte Carlo over 10 batches of
    # 65 pairs (~1% per rate, correlated): 5%
    assert close(ev["content_over_style"], [full / t for t in (0.1, 1.0, 10.0)], 0.05)
    assert math.isclose(ev["tau_c_equalizing"], full, rel_tol=0.05)
    assert math.isclose(ev["tau_c_derived"], full, rel_tol=1e-12) and math.isclose(ev["tau_c_heuristic"], 0.2)
    # the sweep at those sizes (10 batches per τ_c): the gather passes the quick batch count through
    from sslverify.theory.rusak import dynamics
    assert not differences(dynamics.sweep_equalizing_tau_c(taus=np.geomspace(0.1, 10.0, 3), reps=10)["content_over_style"],
                           ev["content_over_style"])


# ----------------------------------------------------------------------------- helpers: _src, _exp, _mean_se
def test_src_names_the_rusak_seed_file():
    from sslverify.verdicts.record import Source
    assert rusak._src("App. A", "Lemma 2") == Source("000_f086a3beeb15be55.txt", "App. A", "Lemma 2")
    assert rusak._src("Table 1") == Source("000_f086a3beeb15be55.txt", "Table 1", "")
    # and it is what the claims were declared with
    assert CLAIMS["rusak.lemma2"].source == rusak._src("App. A", "Lemma 2, eq. 3")
    assert CLAIMS["rusak.table1"].source == rusak._src("Table 1")


def test_exp_passes_size_and_folder(monkeypatch, tmp_path):
    import sslverify.experiments as experiments
    calls = []
    monkeypatch.setattr(experiments, "run_experiment", lambda *a, **k: calls.append((a, k)) or {"ok": 1})
    assert rusak._exp("rusak_table1", False, tmp_path) == {"ok": 1}
    assert rusak._exp("rusak_table1", True, tmp_path / "q") == {"ok": 1}
    assert calls == [(("rusak_table1",), {"quick": False, "out_dir": tmp_path}),
                     (("rusak_table1",), {"quick": True, "out_dir": tmp_path / "q"})]


def test_experiment_gathers_pass_size_and_folder(monkeypatch, tmp_path):
    import json
    runs = Path(__file__).resolve().parent / "snapshots" / "runs"
    calls = []

    def exp(name, quick, out_dir):
        calls.append((name, quick, out_dir))
        return json.loads((runs / f"{name}.json").read_text(encoding="utf-8"))

    monkeypatch.setattr(rusak, "_exp", exp)
    rusak.table1_evidence(quick=False, out_dir=tmp_path)
    rusak.fig1_evidence(quick=False, out_dir=tmp_path / "f")
    ev = rusak.temperature_evidence(quick=False, out_dir=tmp_path / "t")
    assert calls == [("rusak_table1", False, tmp_path), ("rusak_content_style_spectrum", False, tmp_path / "f"),
                     ("rusak_content_style_spectrum", False, tmp_path / "t")]
    assert ev["experiment"] == rusak.fig1_evidence(quick=False, out_dir=tmp_path)  # the same extract of the run


def test_mean_se():
    m, se = rusak._mean_se([1.0, 2.0, 3.0, 4.0])
    # sample sd of 1..4 is sqrt(5/3); SE = sd/sqrt(4)
    assert m == 2.5 and math.isclose(se, math.sqrt(5 / 3) / 2, rel_tol=1e-12)
    m, se = rusak._mean_se([1.0, 3.0])  # sd sqrt(2), SE 1
    assert m == 2.0 and math.isclose(se, 1.0, rel_tol=1e-12)
    assert rusak._mean_se([0.7]) == (0.7, math.inf)  # one seed: no standard error


# ----------------------------------------------------------------------------- symbolic / numeric gathers: what they ask for
def test_lemma3_gather_checks_n2_and_n3(monkeypatch):
    from sslverify.theory.rusak import algebra
    seen = []
    monkeypatch.setattr(algebra, "det_multiplicative", lambda n: seen.append(n) or n == 2)
    monkeypatch.setattr(algebra, "lemma3_enumeration", lambda: {"pairs": 0})  # not under test here (and 0.7 s)
    ev = rusak.lemma3_evidence()
    assert seen == [2, 3] and ev["det_multiplicative"] == {"2": True, "3": False}


def test_eq15_gather_sizes(monkeypatch):
    from sslverify.theory.rusak import algebra
    seen = []
    monkeypatch.setattr(algebra, "eq15_symbolic", lambda *a, **k: seen.append((a, k)) or a == (3, 1))
    monkeypatch.setattr(algebra, "eq15_box_monte_carlo", lambda n: {
        "rel_err_effective": 1.0, "rel_err_nominal": 2.0, "sigma_eff2_style": 3.0, "sigma_s2_nominal": 4.0,
        "min_eig_Sx_minus_Sxt": float(n), "extra": 0})
    ev = rusak.eq15_evidence(quick=True)
    assert seen == [((3, 1), {}), ((2, 1), {})]  # d = 3 and d = 2, one content latent
    assert ev["symbolic"] == {"d3_dc1": True, "d2_dc1": False}
    assert ev["n"] == 100_000 and ev["monte_carlo"]["min_eig_Sx_minus_Sxt"] == 100_000.0
    assert "extra" not in ev["monte_carlo"]


def test_lemma6_gather_detached_counterexample(monkeypatch):
    from sslverify.theory.rusak import algebra
    real = algebra.gradient_rank
    seen = []

    def spy(x, xt, **kw):
        seen.append(kw.get("detach_negatives", False))
        r = real(x, xt, **kw)
        return {**r, "grad_rank": r["grad_rank"] + (10 if kw.get("detach_negatives") else 0)}

    monkeypatch.setattr(algebra, "gradient_rank", spy)
    monkeypatch.setattr(algebra, "lemma6_exact_gradient_det", lambda: {"det_50_digits": -0.5})
    ev = rusak.lemma6_evidence()
    assert seen == [False, True, False, False, False]  # the counterexample full and detached, then 3 generic cases
    assert ev["counterexample"]["grad_rank"] == 3 and ev["counterexample"]["grad_rank_detached"] == 13
    assert ev["exact_det"] == -0.5


def test_prop1_gather_compares_mlp_with_linear(monkeypatch):
    from sslverify.theory.rusak import optimality
    seen = []

    def losses(generator="linear", cs=(), n=0, **kw):
        seen.append((generator, tuple(cs), n, kw))
        f = 1.001 if generator == "mlp" else 1.0  # the MLP losses 0.1 % above the linear ones
        return {"cs": list(cs), "s=0.0": [4.0 * f, 2.0 * f, 1.0 * f], "s=1.0": [3.0 * f, 1.5 * f, 0.5 * f], "L_ginv": 9.0}

    monkeypatch.setattr(optimality, "d_scaled_losses", losses)
    ev = rusak.prop1_evidence(quick=True)
    assert sorted(g for g, *_ in seen) == ["linear", "mlp"]
    assert all(c == (1.0, 4.0, 16.0) and n == 1024 and not kw for _, c, n, kw in seen)
    assert math.isclose(ev["max_rel_diff_mlp_vs_linear"], 1e-3, rel_tol=1e-9)  # |a − b|/|b| = 0.001 everywhere
    assert ev["losses"]["collapsed"] == [4.004, 2.002, 1.001]


def test_prop5_gather_uses_64_pairs(monkeypatch):
    from sslverify.theory.rusak import optimality
    seen = []
    monkeypatch.setattr(optimality, "layer_gradient_ranks",
                        lambda **kw: seen.append(("ad", kw)) or {"d_c": 2, "ranks": [1, 1, 1] if kw.get("linear") else [6, 6, 2]})
    monkeypatch.setattr(optimality, "layer_gradient_ranks_fd", lambda **kw: seen.append(("fd", kw)) or {"ranks": [5, 5, 2]})
    ev = rusak.prop5_evidence()
    # the counterexample: 64 box pairs for autograd (MLP and deep linear f) and finite differences alike
    assert seen == [("ad", {"n": 64}), ("ad", {"n": 64, "linear": True}), ("fd", {"n": 64})]
    assert ev == {"d_c": 2, "mlp_ranks": [6, 6, 2], "linear_ranks": [1, 1, 1], "fd_mlp_ranks": [5, 5, 2]}


