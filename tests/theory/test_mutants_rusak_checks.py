"""rusak.*: the evidence functions (gathers) and decision details that the verdict tests do not pin.

tests/theory decides lemma 5 / lemma 7 / prop. 2 / prop. 3 on recorded fixtures, so their gathers (which
settings they pass to the dynamics, which numbers they keep) never ran under the proof checker.  Here they
run: at the fixture's own (quick) size where that is cheap, compared with the committed fixture AND with
closed forms derived here (λ_k = 2σ_z² − σ_k², σ_z² = 1/12, rates λ_k (AᵀA)_kk); at a reduced size
otherwise, with the slow symbolic derivation replaced by a recording stand-in (its own tests live in
test_rusak_first_order.py) so that what the gather does with it is visible.

The decision tests below complement test_decisions_rusak.py at thresholds it does not probe.
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


# ============================================================================= decisions: exact boundaries, details
# A threshold stated as strict (`< t`) or not (`≤ t`) decides the value t itself: evidence exactly ON the
# boundary (checked to be exactly on it in float64 first) pins which side it belongs to.
def outcome(cid: str, evidence: dict):
    return CLAIMS[cid].decide(evidence)


def fx(cid: str) -> dict:
    """The claim's recorded evidence: its fixture, or the reviewed snapshot of its live evidence (no gathering)."""
    import copy
    import json
    fixture = load_fixture(cid)
    if fixture is not None:
        return copy.deepcopy(fixture)
    snap = Path(__file__).resolve().parent / "snapshots" / f"{cid}.json"
    return json.loads(snap.read_text(encoding="utf-8"))["evidence"]


def test_lemma2_refuted_reports_the_counterexample(monkeypatch):
    import sslverify.theory.rusak.algebra as algebra
    e = fx("rusak.lemma2")
    v = {"A": [[1]], "B": [[1]], "rank_AB": 2, "rank_A": 1, "rank_B": 1}
    e["brute_force"]["violation"] = v
    fake = iter([2, 1, 1])  # a (fictitious) exact-rank routine that confirms the violation
    monkeypatch.setattr(algebra, "exact_rank_int", lambda M: next(fake))
    out = outcome("rusak.lemma2", e)
    assert out.verdict == "refuted" and out.details == {"counterexample": v}


def test_loss_at_zero_round_off_band_is_inclusive():
    cid = "rusak.loss-at-zero"
    e = fx(cid)
    F = 1e14
    e["torch"][0]["formula"], e["torch"][0]["value"] = F, F + 1.0
    assert abs(e["torch"][0]["value"] - F) == 1e-14 * F  # exactly on the band's edge
    assert verdict(cid, e) == "proved"  # '≤ 1e-14 relative' agrees
    e = fx(cid)
    e["symbolic_equal"] = False
    for t in e["torch"]:
        t["value"] = t["formula"] / 2
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


def test_lemma6_exact_det_floor_is_strict():
    cid = "rusak.lemma6"
    e = fx(cid)
    e["exact_det"] = 1e-10  # not above the 1e-10 floor: the exact determinant counts as 0
    assert verdict(cid, e) == "inconclusive"


def test_eq15_thresholds_are_strict():
    cid = "rusak.eq15"
    e = fx(cid)
    e["monte_carlo"]["rel_err_effective"] = 0.01  # must be BELOW 1e-2
    assert verdict(cid, e) == "inconclusive"
    e = fx(cid)
    e["monte_carlo"]["min_eig_Sx_minus_Sxt"] = 0.0  # Σ_x − Σ_x~ must be positive definite, not only semi-definite
    assert verdict(cid, e) == "inconclusive"
    e["symbolic"]["d3_dc1"] = False
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


# ----------------------------------------------------------------------------- lemma 5
def _lemma5(Ms=(8, 128), scales=(0.01, 1.0)) -> dict:
    """Synthetic lemma-5 evidence that decides 'corrected' (every row not set here is far from every threshold)."""
    rows = []
    for s in scales:
        for M in Ms:
            for ag in ("full", "detached negatives"):
                rows.append({"scale": s, "M": M, "autograd": ag, "err_source": 1.0, "err_detached": 1.0, "err_full": 1.0})
    e = {"rows": rows, "symbolic": {"full": {"residual_zero": True, "source_eq5_residual_zero": False},
                                    "detached": {"residual_zero": True, "source_eq5_residual_zero": False}},
         "large_M": {"small": {"scale": 0.01, "err_full": 1e-5, "err_detached": 1e-5},
                     "big": {"scale": 1.0, "err_full": 0.116, "err_detached": 0.121}}}
    lo, hi, small, big = min(Ms), max(Ms), min(scales), max(scales)
    _set(e, small, hi, "full", err_full=0.03, err_source=1.5)
    _set(e, small, lo, "full", err_full=0.17)
    _set(e, small, hi, "detached negatives", err_detached=0.03, err_source=0.03)
    _set(e, big, hi, "full", err_full=0.11)
    _set(e, big, hi, "detached negatives", err_source=0.12)
    return e


def _set(e, scale, M, ag, **errs):
    next(r for r in e["rows"] if r["scale"] == scale and r["M"] == M and r["autograd"] == ag).update(errs)


def test_lemma5_uses_largest_M_and_scale():
    cid = "rusak.lemma5"
    assert verdict(cid, _lemma5()) == "corrected"
    e = _lemma5(Ms=(8, 32, 128))
    _set(e, 0.01, 32, "full", err_full=0.5)  # an intermediate M far off: only M = 128 is compared with 0.1
    assert verdict(cid, e) == "corrected"
    e = _lemma5(scales=(0.01, 0.1, 1.0))
    _set(e, 0.1, 128, "full", err_full=0.05)  # an intermediate scale: only ‖WA‖ = 1 is compared with the quadrature
    assert verdict(cid, e) == "corrected"


@pytest.mark.parametrize("where, errs, expected", [
    ((0.01, 128, "full"), {"err_full": 0.1}, "inconclusive"),  # small-W autograd must be BELOW 0.1
    ((0.01, 128, "detached negatives"), {"err_detached": 0.1}, "inconclusive"),
    ((1.0, 128, "full"), {"err_full": 0.1}, "inconclusive"),  # autograd at ‖WA‖ = 1 must be ABOVE 0.1 (quadrature is)
    ((1.0, 128, "detached negatives"), {"err_source": 0.1}, "inconclusive"),
    ((1.0, 128, "detached negatives"), {"err_source": 0.05}, "inconclusive"),  # one of the two autograd errors small
])
def test_lemma5_row_boundaries(where, errs, expected):
    e = _lemma5()
    _set(e, *where, **errs)
    assert verdict("rusak.lemma5", e) == expected


@pytest.mark.parametrize("key, conv, value", [("small", "err_full", 1e-3), ("small", "err_detached", 1e-3),
                                              ("big", "err_full", 0.1), ("big", "err_detached", 0.1)])
def test_lemma5_quadrature_boundaries(key, conv, value):
    e = _lemma5()
    e["large_M"][key][conv] = value  # small: must be below 1e-3; big: must be above 0.1 (autograd says it is)
    assert verdict("rusak.lemma5", e) == "inconclusive"


def test_lemma5_source_wrong_threshold_and_confirmed_details():
    cid = "rusak.lemma5"
    e = _lemma5()
    for ag, conv in (("full", "err_full"), ("detached negatives", "err_source")):
        _set(e, 1.0, 128, ag, **{conv: 0.05})
    e["large_M"]["big"] = {"scale": 1.0, "err_full": 0.05, "err_detached": 0.05}
    _set(e, 0.01, 128, "full", err_source=0.5)  # eq. 5 'off' means more than 0.5 against the full gradient
    out = outcome(cid, e)
    assert out.verdict == "confirmed"
    assert out.details["large_M_limit"] == e["large_M"] and out.details["symbolic"] == e["symbolic"]


# ----------------------------------------------------------------------------- lemma 7
def test_lemma7_prediction_band_is_strict():
    cid = "rusak.lemma7"
    e = fx(cid)
    b, a = 0.342808, 0.3599484
    assert abs(a - b) / b == 0.05  # exactly 5 % off
    e["orthogonal"]["rates"][0], e["orthogonal"]["predicted"][0] = a, b
    assert verdict(cid, e) == "inconclusive"


@pytest.mark.parametrize("path", [("orthogonal",), ("diag_1_2_2",), ("exact", "orthogonal"), ("exact", "diag_1_2_2")])
def test_lemma7_ties_are_not_orderings(path):
    # content and style growing EQUALLY is neither 'content faster' nor 'style faster': with a tie in one method
    # and the strict order in the other, the methods disagree
    e = fx("rusak.lemma7")
    r = e
    for k in path:
        r = r[k]
    r["content_mean"] = r["style_mean"]
    assert verdict("rusak.lemma7", e) == "inconclusive"


def test_lemma7_confirmed_details():
    e = fx("rusak.lemma7")
    e["diag_1_2_2"]["content_mean"], e["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    e["exact"]["diag_1_2_2"]["content_mean"], e["exact"]["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    out = outcome("rusak.lemma7", e)
    assert out.verdict == "confirmed" and out.details == {"orthogonal": e["orthogonal"], "diag_1_2_2": e["diag_1_2_2"],
                                                          "exact": e["exact"]}


def test_prop2_confirmed_details():
    e = fx("rusak.prop2")
    e["skew_sv"] = e["exact_skew_sv"] = [0.3, 0.1, 0.1]
    out = outcome("rusak.prop2", e)
    assert out.verdict == "confirmed" and out.details["counts_orthogonal_skew"] == [1, 1]
    assert out.details["random_W_count"] == 1 and out.details["exact_skew_sv"] == [0.3, 0.1, 0.1]


# ----------------------------------------------------------------------------- prop 3
def _prop3(t_der, t_eq, t_heu, exact=None):
    e = fx("rusak.prop3")
    e.update(tau_c_derived=t_der, tau_c_equalizing=t_eq, tau_c_heuristic=t_heu)
    e["exact_equalizing"]["full"] = t_der if exact is None else exact
    return e


def test_prop3_symbolic_match_relative_band():
    # 1e-12 RELATIVE to τ_c: a difference of exactly 1e-12·τ_c still matches (τ_c, difference exact in float64)
    t, x = 1.000088900582341, 1.000088900583341
    assert abs(x - t) == 1e-12 * t
    assert verdict("rusak.prop3", _prop3(t, t, t, exact=x)) == "confirmed"


def test_prop3_autograd_band_and_factor_two_edges():
    t = 1.25
    assert abs(1.375 - t) / t == 0.1  # exactly 10 % off: outside the band
    assert verdict("rusak.prop3", _prop3(t, 1.375, 1.375)) == "inconclusive"
    assert 0.4 / 0.2 == 2.0 and abs(math.log(0.4 / 0.2)) == math.log(2)  # exactly a factor 2: still '∼'
    out = outcome("rusak.prop3", _prop3(0.4, 0.4, 0.2))
    assert out.verdict == "confirmed"
    assert out.details == {"tau_c_equalizing": 0.4, "tau_c_derived": 0.4, "tau_c_heuristic": 0.2,
                           "exact": {"full": 0.4, "detached": 3.88}}


# ----------------------------------------------------------------------------- prop 4 / prop 1 / cor 1
def test_scaling_facts_are_strict():
    def facts(collapsed, full):
        return rusak._scaling_facts({"losses": {"collapsed": collapsed, "full_style": full}})
    assert facts([3.0, 2.0, 1.0], [2.5, 1.5, 0.5]) == {"decreasing_in_c": True, "uncollapsed_lower_every_c": True}
    assert not facts([3.0, 2.0, 1.0], [2.5, 1.5, 1.5])["decreasing_in_c"]  # flat is not decreasing
    assert not facts([3.0, 2.0, 1.0], [2.5, 1.5, 2.0])["decreasing_in_c"]  # rising by 0.5
    assert not facts([3.0, 2.0, 1.0], [2.5, 2.0, 0.5])["uncollapsed_lower_every_c"]  # a tie at c_2
    assert not facts([3.0, 2.0, 1.0], [3.0, 1.5, 0.5])["uncollapsed_lower_every_c"]


def test_prop4_confirmed_details():
    cid = "rusak.prop4"
    e = fx(cid)
    e["symbolic"]["limit_full_style"] = "nan"
    e["losses"]["full_style"] = sorted((v + 10 for v in e["losses"]["collapsed"]), reverse=True)
    out = outcome(cid, e)
    assert out.verdict == "confirmed"
    assert out.details["losses"] == e["losses"] and out.details["uncollapsed_lower_every_c"] is False


def test_prop1_inversion_threshold_and_confirmed_details():
    cid = "rusak.prop1"
    e = fx(cid)
    e["max_rel_diff_mlp_vs_linear"] = 1e-10  # not above 1e-10: still the same losses
    assert verdict(cid, e) == "corrected"
    e["losses"]["full_style"][-1] = e["losses"]["collapsed"][-1]
    e["losses"]["full_style"] = sorted(e["losses"]["full_style"], reverse=True)
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["losses"] == e["losses"] and out.details["decreasing_in_c"]


# ----------------------------------------------------------------------------- prop 5 / prop 6
def test_prop5_proved_details():
    cid = "rusak.prop5"
    e = fx(cid)
    e["mlp_ranks"] = e["fd_mlp_ranks"] = [2, 2, 2]
    out = outcome(cid, e)
    assert out.verdict == "proved" and out.details == e


def test_prop6_numeric_thresholds_are_strict():
    cid = "rusak.prop6"
    for key in ("abs_loss_diff", "max_abs_output_diff"):
        e = fx(cid)
        e["numeric"][key] = 1e-12  # not below 1e-12: numerically different while symbolically identical
        assert verdict(cid, e) == "inconclusive", key


def test_prop6_both_symbolic_sizes_must_agree():
    cid = "rusak.prop6"
    e = fx(cid)
    e["numeric"]["abs_loss_diff"] = 1.0  # numerically different
    e["symbolic_d5"]["same_as_collapsed_optimum"] = False  # d = 5 says different, d = 3 says identical
    e["symbolic"]["same_as_collapsed_optimum"] = True
    assert verdict(cid, e) == "refuted"  # a size where the identity fails, numerically confirmed: a counterexample
    e["symbolic"]["same_as_collapsed_optimum"] = False
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


# ----------------------------------------------------------------------------- temperature sign
def test_temperature_sign_boundaries():
    cid = "rusak.temperature-sign"
    e = fx(cid)
    e["statements"]["consistent"] = True
    e["exact_equalizing_tau_c"], e["derived_equalizing_tau_c"] = 0.0, 1e-12  # differ by exactly 1e-12: still agree
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["derived_equalizing_tau_c"] == 1e-12
    assert out.details["directions"] == e["statements"]["directions"]
    e = fx(cid)
    e["reparametrization_abs_diff"] = 1e-12  # must be below 1e-12
    assert verdict(cid, e) == "inconclusive"
    e = fx(cid)
    e["exact_equalizing_tau_c"] = e["derived_equalizing_tau_c"] = 1.0  # τ_c = τ_s is not '> τ_s'
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- table 1
def _table1_no_box_effect():
    e = fx("rusak.table1")
    for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
        v["best_margin"] = 0.0
    e["box"]["dc0_rescaling"]["batch_margins"] = [0.01, 0.02]
    e["box"]["trained"]["gaps_dc0"] = [-0.5, -0.4]
    return e


def test_table1_sphere_margin_edges():
    cid = "rusak.table1"
    assert verdict(cid, _table1_no_box_effect()) == "confirmed"
    e = _table1_no_box_effect()
    e["sphere"]["families"]["d6_dc3"].update(best_margin=-3.0, best_se=1.0)  # exactly 3 SE below 0: not enough
    assert verdict(cid, e) == "inconclusive"
    k = "d6_dc3_kappa20"
    e = _table1_no_box_effect()
    e["sphere"]["kappa_scan"][k].update(best_margin=-3.0, best_se=1.0)
    assert verdict(cid, e) == "inconclusive"
    e["sphere"]["kappa_scan"][k].update(best_margin=-3.5, best_se=1.0)  # 3.5 SE: counts
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == [-0.5, -0.4]
    e["sphere"]["kappa_scan"][k]["best_c"] = 1.0  # the best encoder at this κ is g⁻¹ itself
    assert verdict(cid, e) == "inconclusive"


def test_table1_rescaling_must_be_below_zero():
    cid = "rusak.table1"
    for by_sigma, batches in ((0.0, [-0.01, -0.02]), (0.5, [-0.01, -0.02]), (-0.01, [0.0, -0.01])):
        e = _table1_no_box_effect()
        for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
            v["best_margin"] = by_sigma
        e["box"]["dc0_rescaling"]["batch_margins"] = batches
        assert verdict(cid, e) == "confirmed", (by_sigma, batches)  # a margin of 0 is not 'below g⁻¹'


def test_table1_without_trained_rows():
    cid = "rusak.table1"
    e = _table1_no_box_effect()
    del e["box"]["trained"]["gaps_dc0"]
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == []
    del e["box"]["trained"]
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == []


@pytest.mark.parametrize("gaps, expected", [
    ([0.0, 1.0, 1.0, 1.0, 1.0, 1.0], "confirmed"),  # one seed with no gap: not 'every trained encoder beats g⁻¹'
    ([1.0, 3.0], "confirmed"),  # mean 2 = exactly 2 SE (SE = |3 − 1|/2 = 1): not above
    ([1.5, 3.5], "corrected"),  # mean 2.5 SE: above 2 SE
])
def test_table1_trained_gap_edges(gaps, expected):
    e = _table1_no_box_effect()
    e["box"]["trained"]["gaps_dc0"] = gaps
    assert verdict("rusak.table1", e) == expected


# ----------------------------------------------------------------------------- fig 1
def test_fig1_confirmed_details():
    e = fx("rusak.fig1")
    for v in e["per_dc"].values():
        v["tau_c_restoring_spectrum"] = [0.003]
    out = outcome("rusak.fig1", e)
    assert out.verdict == "confirmed"
    assert out.details["flatness_dc0"] == e["flatness_dc0"] and set(out.details["per_dc"]) == set(e["per_dc"])
