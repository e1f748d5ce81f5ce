"""pokle.* checks in detail: the record helpers of pokle_experiments, the details the experiment decisions keep,
the gathers' sizes and argument passing, and the PGD / GD helpers of verdicts/builtin/pokle.py re-done by hand.

test_decisions_pokle.py reads verdicts; here the numbers a helper reports are recomputed independently (a
projected-gradient step written out with the hand-derived gradient, a finite-difference gradient, one GD step of
eq. 13 by hand) and the decision rules are probed at their thresholds with hand-made inputs.
"""
from __future__ import annotations

import inspect
import itertools
import json
import sys
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from sslverify.numerics.sparse_coding import random_dictionary
from sslverify.theory.pokle import landscape as LS
from sslverify.theory.pokle import relu_dynamics as RD
from sslverify.verdicts.builtin import pokle as pk
from sslverify.verdicts.builtin import pokle_experiments as PE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_decisions_pokle import complete  # noqa: E402  (evidence as if settings, convergence, power were met)
from sslverify.verdicts.registry import builtin_claims

CLAIMS = builtin_claims()
HERE = Path(__file__).resolve().parent


def _recorder(fn, seen, result):
    """A stand-in for ``fn`` with fn's own signature: records the effective arguments (defaults applied)."""
    sig = inspect.signature(fn)

    def fake(*args, **kwargs):
        b = sig.bind(*args, **kwargs)
        b.apply_defaults()
        seen.append(dict(b.arguments))
        return result(b.arguments) if callable(result) else result
    return fake


# ============================================================================= pokle_experiments: record helpers
@pytest.mark.parametrize("missing", ["Table 1's masking probability and τ", "τ, the formula of S and Figs. 2–3's Pr(sparse) levels"])
def test_noise_readings_name_both_scales_and_what_stays_missing(missing):
    """The two noise readings: σ₀ = log d/d as a std (≈ ln10/10 = 0.23 at d = 10) is primary, σ₀² = log d/d
    (σ₀ ≈ √0.23 = 0.48) is not; both leave the claim underspecified (the records' verdict) and name what is missing."""
    r = PE.read_sigma(missing)
    assert len(r) == 2
    assert [x.verdict for x in r] == ["underspecified", "underspecified"]
    assert {CLAIMS["pokle.table1"].verdict, CLAIMS["pokle.cl-vs-ncl"].verdict} == {"underspecified"}
    assert [x.primary for x in r] == [True, False]  # exactly one primary (record rule), the §4.1 reading
    std, var = r
    assert std.name.startswith("σ₀ = log d / d as a standard deviation")
    assert var.name.startswith("σ₀² = log d / d (eq. 1's N(0, σ₀²I) convention")
    s = math.log(10) / 10  # d = 10 (§4.2)
    m_std = re.search(r"\(≈ (\d\.\d\d)\)$", std.name)
    m_var = re.search(r"σ₀ ≈ (\d\.\d\d)\)$", var.name)
    assert m_std and float(m_std.group(1)) == round(s, 2)  # printed to 2 decimals
    assert m_var and float(m_var.group(1)) == round(math.sqrt(s), 2)
    for x in r:
        assert isinstance(x.basis, str) and missing in x.basis
    assert std.basis.startswith("§4.1's σ₀ = Θ(log d/d) is a statement about σ₀ itself")
    assert var.basis.startswith("§4.2 writes N(0, log d / d) in the notation where eq. 1's second argument is the variance")
    assert "the variance; this contradicts σ₀ = Θ(log d/d)" in var.basis


@pytest.mark.parametrize("key", sorted(PE.GAPS))
def test_gaps_are_numbered_from_one(key):
    """_gaps lists a claim's missing settings as '(1) …; (2) …' in GAPS order."""
    items = PE.GAPS[key]
    want = ""
    for i in range(len(items)):
        want += ("; " if i else "") + "(" + str(i + 1) + ") " + items[i]
    assert PE._gaps(key) == want


def test_table1_gather_passes_quick_and_out_dir(monkeypatch, tmp_path):
    """table1_evidence runs pokle_table1 with the caller's quick flag and output folder and extracts from its results."""
    seen = []
    monkeypatch.setattr(PE, "run_experiment", _recorder(PE.run_experiment, seen, "RESULTS"))
    monkeypatch.setattr(PE, "extract_table1", lambda res: {"extracted": res})
    for quick in (True, False):
        assert PE.table1_evidence(quick, tmp_path) == {"extracted": "RESULTS"}
        assert (seen[-1]["name"], seen[-1]["quick"], seen[-1]["out_dir"]) == ("pokle_table1", quick, tmp_path)


def test_figure_gathers_pass_their_claim_key(monkeypatch, tmp_path):
    """predictor_evidence / cl_vs_ncl_evidence ask figures_evidence for their own claim at the caller's size and folder."""
    seen = []
    monkeypatch.setattr(PE, "figures_evidence", _recorder(PE.figures_evidence, seen, "EV"))
    for quick in (True, False):
        for fn, key in ((PE.predictor_evidence, "predictor"), (PE.cl_vs_ncl_evidence, "cl-vs-ncl")):
            assert fn(quick, tmp_path) == "EV"
            assert seen[-1] == {"claim_key": key, "quick": quick, "out_dir": tmp_path}


def test_table1_verdicts_keep_their_details(evidence_of):
    """A decided Table 1 (corrected / confirmed) reports nothing missing, nothing different and the checks it read."""
    r = CLAIMS["pokle.table1"]
    for above, verdict in ((True, "corrected"), (False, "confirmed")):
        ev = complete(evidence_of(r))
        ev["checks"].update(simsiam_above_paper=above, simsiam_within_paper=not above)
        out = r.decide(ev)
        assert out.verdict == verdict
        assert out.details == {"missing": [], "differs": [], "checks": ev["checks"]}


def test_predictor_verdicts_keep_their_details(evidence_of):
    """Refuted / confirmed / corrected predictor outcomes keep the warm-start readings and checks they were read from."""
    r = CLAIMS["pokle.predictor"]
    for off, verdict in (("fig5_predictor_rises", "refuted"), (None, "confirmed"), ("fig7_rises", "corrected")):
        ev = complete(evidence_of(r))
        if off:
            ev["checks"][off] = False
        out = r.decide(ev)
        assert out.verdict == verdict, off
        assert out.details == {"missing": [], "differs": [], "checks": ev["checks"],
                               "warm_start_min_maxcos": ev["warm_start_readings"]}


# ============================================================================= pokle.thm1a: PGD by hand
def _thm1a_pgd_by_hand(d, alpha, starts, steps, seed, lr=5.0):
    """Projected GD on L = 2 − (2α²/d)ΣReLU(W)² over unit columns, in numpy: ∇L = −(4α²/d)ReLU(W) (by hand), the
    Gaussian starts drawn as minimize_unit_columns documents (``starts`` d×d draws from torch's seeded generator)."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(starts, d, d, generator=g, dtype=torch.float64).numpy()
    W = W / np.linalg.norm(W, axis=-2, keepdims=True)
    for _ in range(steps):
        W = W + lr * (4 * alpha**2 / d) * np.maximum(W, 0)
        W = W / np.linalg.norm(W, axis=-2, keepdims=True)
    gap = 2 * alpha**2 / d * (np.maximum(-W, 0) ** 2).sum((-1, -2))  # gap identity of Thm 1(a)
    at = gap < 1e-6
    neg = np.maximum(-W, 0).max((-1, -2))
    perm = []
    for w in W:  # every column within 1e-3 of a distinct basis vector
        rows = [int(np.argmax(np.abs(w[:, j]))) for j in range(d)]
        close = all(abs(w[i, j] - (i == rows[j])) <= 1e-3 for j in range(d) for i in range(d))
        perm.append(close and len(set(rows)) == d)
    perm = np.array(perm)
    mc = (np.abs(W) / np.linalg.norm(W, axis=-1, keepdims=True)).max(-2).min(-1)  # eq. 12 with M = I: min_j max_i
    return gap, at, neg, perm, mc


@pytest.mark.parametrize("kwargs", [{}, dict(d=2, starts=3, steps=1, seed=0)])
def test_thm1a_numeric_is_projected_gradient_descent(kwargs):
    """thm1a_numeric (defaults d = 4, α = ½, 64 starts, 400 steps, seed 0; and one step at d = 2) = PGD with step 5
    done by hand: same minima, negative parts, permutation share, stuck gaps (4 decimals) and max-cosine."""
    args = dict(dict(d=4, alpha=0.5, starts=64, steps=400, seed=0), **kwargs)
    gap, at, neg, perm, mc = _thm1a_pgd_by_hand(**args)
    out = pk.thm1a_numeric(**kwargs)
    assert out["starts"] == args["starts"] and out["n_at_min"] == int(at.sum())
    assert out["stuck_gaps"] == sorted(set(np.round(gap[~at], 4).tolist()))
    if at.any():
        # negative parts after 400 steps are ~1e-140 and shrink by a factor ≈ 2 per step; numpy and torch column
        # norms differ by an ulp per step, so 1e-9 relative holds with a wide margin and separates step counts
        assert out["max_negative_entry_at_min"] == pytest.approx(neg[at].max(), rel=1e-9, abs=0)
        assert out["fraction_permutation_at_min"] == perm[at].mean()
        assert out["min_maxcos_min_at_min"] == pytest.approx(mc[at].min(), rel=1e-12)  # unit-vector cosines: round-off
    else:
        assert args["steps"] == 1 and out["stuck_gaps"] and math.isnan(out["max_negative_entry_at_min"])


def test_thm1a_gather_default_is_the_quick_size(monkeypatch):
    """thm1a_evidence() gathers at the quick size the reviewed snapshot records (SymPy d = 2, enumeration d = 3 with
    n = 100, PGD at the quick step count); quick=False at the full size."""
    snap = json.loads((HERE / "snapshots" / "pokle.thm1a.json").read_text(encoding="utf-8"))["evidence"]
    seen = {"sym": [], "num": [], "enum": []}
    monkeypatch.setattr(LS, "thm1a_symbolic", lambda d: seen["sym"].append(d) or {"ok": True})
    monkeypatch.setattr(pk, "thm1a_numeric", _recorder(pk.thm1a_numeric, seen["num"], {k: 0 for k in snap["pgd"]}))
    monkeypatch.setattr(LS, "thm1a_enumerated", _recorder(LS.thm1a_enumerated, seen["enum"], {"n": 0}))
    ev = pk.thm1a_evidence()
    assert list(ev["symbolic"]) == list(snap["symbolic"]) == ["2"] and seen["sym"] == [2]
    assert (seen["enum"][-1]["d"], seen["enum"][-1]["n"]) == (snap["enumerated"]["d"], snap["enumerated"]["n"]) == (3, 100)
    assert seen["num"][-1]["steps"] == pk.THM1A_SIZES.at(True).steps == 300
    ev = pk.thm1a_evidence(quick=False)
    assert list(ev["symbolic"]) == ["2", "3"]
    assert (seen["enum"][-1]["d"], seen["enum"][-1]["n"], seen["num"][-1]["steps"]) == (3, 400, 600)


# ============================================================================= pokle.thm1b: PGD on A.17 by hand
def _a17(W, tau, alpha):
    """A.17 written out (numpy, batched): Σ_i E_{a,b}[−τ a b_i G_ii + log Σ_j exp(τ a b_j G_ij)], a, b_j ~ Bernoulli(α),
    G = Gram matrix of ReLU(W)'s columns."""
    U = np.maximum(W, 0)
    G = np.einsum("...ki,...kj->...ij", U, U)
    d = W.shape[-1]
    tot = np.zeros(W.shape[:-2])
    for a in (0, 1):
        for b in itertools.product((0, 1), repeat=d):
            p = (alpha if a else 1 - alpha) * np.prod([alpha if v else 1 - alpha for v in b])
            for i in range(d):
                logits = np.stack([tau * a * b[j] * G[..., i, j] for j in range(d)], -1)
                mx = logits.max(-1)
                tot = tot + p * (-tau * a * b[i] * G[..., i, i] + mx + np.log(np.exp(logits - mx[..., None]).sum(-1)))
    return tot


def _unit(W):
    return W / np.linalg.norm(W, axis=-2, keepdims=True)


def test_thm1b_numeric_starts_and_one_step_by_hand():
    """thm1b_numeric (d = 3, τ = 1, α = ½, seed 1): with 0 steps the best start is the best of its 48 projected Gaussian
    starts; one step is W − 2∇A.17 projected, the gradient by central differences of A.17 written out."""
    tau, alpha = 1.0, 0.5
    g = torch.Generator().manual_seed(1)
    W0 = _unit(torch.randn(48, 3, 3, generator=g, dtype=torch.float64).numpy())
    out = pk.thm1b_numeric(steps=0)
    assert out["starts"] == 48 and out["n_at_min"] == 0
    assert out["best_found"] == pytest.approx(_a17(W0, tau, alpha).min(), rel=1e-12)  # same sums, other order
    assert out["loss_at_I"] == pytest.approx(float(_a17(np.eye(3), tau, alpha)), rel=1e-12)
    W0 = _unit(torch.randn(4, 3, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64).numpy())
    assert np.abs(W0).min() > 1e-4  # no entry near the ReLU kink: the central differences below see a smooth function
    h, grad = 1e-6, np.zeros_like(W0)
    for i, j in itertools.product(range(3), range(3)):
        e = np.zeros((3, 3))
        e[i, j] = h
        grad[:, i, j] = (_a17(W0 + e, tau, alpha) - _a17(W0 - e, tau, alpha)) / (2 * h)
    W1 = _unit(W0 - 2.0 * grad)
    out = pk.thm1b_numeric(starts=4, steps=1)
    # central differences: O(h²) truncation + ~1e-16·L/h ≈ 1e-9 rounding in the gradient; after the step the loss is
    # off by ~1e-9, far below 1e-7 (a step of 3 instead of 2 moves it by ~1e-2)
    assert out["best_found"] == pytest.approx(_a17(W1, tau, alpha).min(), abs=1e-7)


def _thm1b_with(monkeypatch, Ws, values):
    """thm1b_numeric on PGD results ``Ws`` (d = 2) whose losses are ``values``, with L(I) = 0: the classification only."""
    monkeypatch.setattr(LS, "minimize_unit_columns", lambda *a, **k: torch.tensor(Ws, dtype=torch.float64))
    monkeypatch.setattr(LS, "surrogate_a17",
                        lambda G, tau, alpha: torch.tensor(values, dtype=torch.float64) if G.dim() == 3
                        else torch.tensor(0.0, dtype=torch.float64))
    return pk.thm1b_numeric(d=2, starts=len(Ws), steps=0)


EYE2, SWAP2 = [[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]
NEAR2 = [[math.cos(2e-3), -math.sin(2e-3)], [math.sin(2e-3), math.cos(2e-3)]]  # 2e-3 from I: not a permutation at 1e-3


def test_thm1b_numeric_minimum_and_permutation_rules(monkeypatch):
    """At the minimum means |L − L(I)| < 1e-6 (1e-6 itself is not); a minimiser 2e-3 from every permutation is not one
    (tolerance 1e-3)."""
    out = _thm1b_with(monkeypatch, [EYE2, SWAP2, NEAR2], [0.0, 1e-6, 0.5e-6])
    assert out["n_at_min"] == 2 and out["all_minimisers_permutations"] is False and out["any_below_I"] is False
    out = _thm1b_with(monkeypatch, [EYE2, SWAP2, NEAR2], [0.0, 0.5e-6, 1e-6])
    assert out["n_at_min"] == 2 and out["all_minimisers_permutations"] is True


@pytest.mark.parametrize("below, expected", [(1e-9, False), (2e-9, True), (1e-3, True), (0.5, True)])
def test_thm1b_numeric_below_identity_rule(monkeypatch, below, expected):
    """'Below I' means L < L(I) − 1e-9 (round-off margin): exactly 1e-9 below is not, anything further is."""
    out = _thm1b_with(monkeypatch, [EYE2, NEAR2], [0.0, -below])
    assert out["any_below_I"] is expected and out["best_found"] == -below


# ============================================================================= pokle.thm2: one GD step by hand
def test_thm2_trained_one_step_against_the_printed_formula():
    """One GD step on eq. 13 by hand: ∂/∂Wᵒ[2 − 2α²tr(WᵒSWᵗᵀ)] = −2α²WᵗS, so W₁ᵒM = λA₀ + 2ηα²WᵗSM; the printed
    formula predicts C₁A₀ + C₂ᵖ(A₀ + B₀) with C₁ = λ − c₀, C₂ᵖ = c₀(λ − c₀); its relative miss is reported."""
    p, d, m, seed, alpha, kappa, sigma0, lam = 12, 4, 5, 0, 0.5, 0.3, 0.2, 0.95
    M = random_dictionary(p, d, seed).numpy()
    S = kappa * M @ M.T + sigma0**2 * np.eye(p)
    g = torch.Generator().manual_seed(seed)
    Wo = torch.randn(m, p, generator=g, dtype=torch.float64).numpy()
    Wt = torch.randn(m, p, generator=g, dtype=torch.float64).numpy()
    eta = lam / (2 * alpha**2 * (kappa + sigma0**2)) * (0.2 + 0.7 * float(torch.rand(1, generator=g, dtype=torch.float64)))
    A1 = (lam * Wo + eta * 2 * alpha**2 * Wt @ S) @ M
    A0, B0 = Wo @ M, Wt @ M
    c0 = 2 * eta * alpha**2 * (kappa + sigma0**2)
    want = np.linalg.norm(A1 - ((lam - c0) * A0 + c0 * (lam - c0) * (A0 + B0))) / np.linalg.norm(A1)
    t = pk.thm2_trained(steps=1)
    # 12×4 float64 products: round-off ~1e-15 relative, 1e-9 leaves a wide margin
    assert t["relative_error_vs_printed"] == pytest.approx(want, rel=1e-9)
    assert t["C1"] == pytest.approx(lam - c0, rel=1e-12) and t["C2"] == pytest.approx(c0, rel=1e-12)


# ============================================================================= pokle.thm3: gather sizes
def test_thm3_gather_runs_every_case_at_its_size(monkeypatch):
    """thm3_evidence() is the quick size of the committed fixture (d = 3, K = 3; THM3_SIZES' 15 outer rounds), quick=False
    the full one (d = 4, K = 4, 25 rounds); every case from seed 0, inner cap 40 for the non-converging b = 0.99 case
    and simulate's default cap for the others."""
    fx = json.loads((HERE / "fixtures" / "pokle.thm3.json").read_text(encoding="utf-8"))["evidence"]
    real = RD.simulate
    default_inner = inspect.signature(real).parameters["inner"].default
    for quick, (d, K, outer) in ((None, (fx["d"], fx["K"], 15)), (False, (4, 4, 25))):
        seen = []
        monkeypatch.setattr(RD, "simulate", _recorder(real, seen, lambda a: {"initial_dist": [1.0] * a["K"],
                                                                                  "final_dist": [0.0] * a["K"]}))
        ev = pk.thm3_evidence() if quick is None else pk.thm3_evidence(quick=quick)
        assert (ev["d"], ev["K"]) == (d, K) and set(ev["runs"]) == set(RD.CASES) == set(fx["runs"])
        assert [a["case"] for a in seen] == list(RD.CASES)
        for a in seen:
            assert (a["d"], a["K"], a["outer"], a["seed"]) == (d, K, outer, 0), a["case"]
            assert a["inner"] == (40 if a["case"] == "bias_near_one" else default_inner), a["case"]
