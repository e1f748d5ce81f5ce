"""pokle.thm1a / pokle.thm1b: landscapes of Thm 1 (App. A.1)."""
from __future__ import annotations

import math

import pytest
import torch

from sslverify.theory.pokle import landscape as LS
from sslverify.theory.pokle import negatives as NG
from sslverify.verdicts.builtin import pokle as checks


def test_thm1a_symbolic():
    # eq. 6 with masks enumerated (d = 2): L = 2 − (2α²/d)ΣReLU(W)², gap = (2α²/d)ΣReLU(−W)², minimum 2 − 2α² on W ≥ 0
    r = LS.thm1a_symbolic(2)
    assert r["exact_equals_closed_form"] and r["relu_split"] and r["gap_identity"] and r["nonneg_is_minimum"]


def test_thm1a_numeric_minimisers():
    # Thm 1(a): PGD minimisers over U are non-negative and mostly not permutations
    n = checks.thm1a_numeric(d=3, starts=24, steps=200)
    assert n["n_at_min"] >= 6 and n["max_negative_entry_at_min"] < 1e-3  # PGD stopping rule (gap < 1e-6)
    assert n["fraction_permutation_at_min"] < 0.5  # "many far-from-ground-truth W": most minimisers found are not permutations


def test_thm1a_enumeration_second_method():
    # second method for (a), no SymPy: float64 enumeration of all mask pairs (d = 3) equals the closed form, gives
    # exactly 2 − 2α² at random non-negative unit-column W and more at W with a negative entry
    e = LS.thm1a_enumerated(d=3, n=50)
    assert e["max_abs_closed_form_error"] < 1e-12  # float64 sum of 64 mask pairs × 3 latents: round-off ~1e-15
    assert e["max_abs_gap_nonnegative"] < 1e-12  # same round-off bound
    assert e["n_with_negative_entry"] == 50 and e["min_gap_with_negative_entry"] > 1e-6  # strictly above the minimum


def test_a17_monotone():
    # A.17: ∂L̃/∂G_ii < 0, ∂L̃/∂G_ij > 0 (d = 2, τ > 0, α ∈ (0, 1))
    m = LS.a17_monotonicity(2)
    assert m["dGii_negative"] and m["dGij_positive"]


def test_thm1b_numeric_permutations():
    # Thm 1(b) for A.17 (d = 3): every PGD run reaching the minimum is a permutation; nothing beats W = I
    n = checks.thm1b_numeric(d=3, starts=12, steps=200)
    assert n["n_at_min"] > 0 and n["all_minimisers_permutations"] and not n["any_below_I"]


def test_thm1b_limit_counterexample():
    # |B| → ∞ limit of eq. 9: ∂/∂G_ii changes sign at g* = log((d−α)/(1−α))/τ; W = −I beats W = I for τ = 5, α = ½, d = 2
    der = LS.limit_derivative()
    assert der["matches_closed_form"] and der["derivative_zero_at_g_star"]
    ce = checks.thm1b_counterexample()
    assert ce["limit_loss_minus_I"] == 0.0
    assert abs(ce["limit_loss_I"] - (-5 / 4 + 0.5 * math.log((1.5 + 0.5 * math.exp(5)) / 2))) < 1e-12  # closed form by hand
    assert ce["limit_loss_W_gstar"] < ce["limit_loss_minus_I"] < ce["limit_loss_I"]
    assert ce["finite_B1e5_LI_minus_LnegI"] > 0.5  # exact at B = 1e5 (binomial sum), not an asymptotic statement
    # and the surrogate A.17 still prefers I: the disagreement is between A.17 and the limit
    assert ce["A17_I"] < ce["A17_minus_I"]
    # with α = 1 (no masking) the condition e^τ(1−α) ≤ d − α holds and I wins again
    eye = torch.eye(2, dtype=torch.float64)
    assert LS.limit_eq9(LS.relu_gram(eye), 5.0, 1.0) < LS.limit_eq9(LS.relu_gram(-eye), 5.0, 1.0)


# ----------------------------------------------------------------------------- Thm 1(b), the two readings of "negative"
def test_thm1b_distinct_symbolic():
    # x′ ≠ x (a different latent): L∞ + τα² = (τα²/d)Σ(1 − G_ii) + (α/d)Σ log mean_{j≠i}(1 − α + αe^{τG_ij}) ≥ 0, L(I) = −τα²,
    # ∂L/∂G_ii = −τα²/d < 0, ∂L/∂G_ij = α²τe^{τG_ij}/(d(d−1)·mean) > 0 (symbolic τ, α, G; d = 2 and 3)
    for d in (2, 3):
        s = NG.distinct_symbolic(d)
        assert all(v for v in s.values() if isinstance(v, bool)), s


def test_thm1b_distinct_brute_force():
    # second method (no SymPy): the limit loss over ALL unit-column W — a 180×180 angle grid at d = 2 (permutations on
    # the grid) and 20000 random W + projected GD at d = 3 — never goes below −τα² and attains it only at permutations
    tau, alpha = 5.0, 0.5
    f = lambda G: NG.limit_distinct(G, tau, alpha)  # noqa: E731
    for d, kw in ((2, dict(grid=180)), (3, dict(samples=20000, starts=48, steps=400))):
        r = NG.brute_force(f, d, **kw)
        assert abs(r["loss_at_I"] + tau * alpha**2) < 1e-12  # float64 evaluation of log(1) and −τα²
        assert r["best"] >= -tau * alpha**2 - 1e-12  # same round-off: nothing below the bound
        assert r["n_near_best"] >= 1 and r["max_perm_distance_near_best"] < 1e-6  # grid: exact; PGD: converged to ~1e-12


def test_thm1b_distinct_finite_batch():
    # third method: the exact eq.-9 loss at finite B (multinomial over the negatives' latents and masks), x′ ≠ x,
    # is minimised by the permutations too (B = 4, d = 2 grid; B = 3, d = 3 against random W)
    tau, alpha = 5.0, 0.5
    Wg = NG._unit_columns_d2(72)
    L = NG.finite_batch_distinct(LS.relu_gram(Wg), 4, tau, alpha)
    near = L <= L.min() + 1e-9  # float64 sums of 5 × 4 terms; the grid's permutations are exact
    assert NG.perm_distance(Wg[near]).max() < 1e-12 and int(near.sum()) == 2  # I and the swap
    g = torch.Generator().manual_seed(3)
    W3 = LS.project_unit_columns(torch.randn(3000, 3, 3, generator=g, dtype=torch.float64))
    L3 = NG.finite_batch_distinct(LS.relu_gram(W3), 3, tau, alpha)
    LI = float(NG.finite_batch_distinct(torch.eye(3, dtype=torch.float64), 3, tau, alpha))
    assert float(L3.min()) > LI  # random W (a.s. not permutations) are strictly worse
    # B → ∞: the finite-B loss minus log B approaches the limit at W = I from above; the leading correction is
    # log(e^{τS⁺} + Bm) − log(Bm) ≤ e^{τS⁺}/(Bm) with m = E e^{τS⁻} ≥ 1, so the gap is at most E e^{τS⁺}/B = (1 − α² + α²e^τ)/B
    lim = float(NG.limit_distinct(torch.eye(2, dtype=torch.float64), tau, alpha))
    for B in (10, 100, 2000):
        gap = float(NG.finite_batch_distinct(torch.eye(2, dtype=torch.float64), B, tau, alpha)) - lim
        assert 0 < gap <= (1 - alpha**2 + alpha**2 * math.exp(tau)) / B, (B, gap)


def test_thm1b_iid_brute_force():
    # second method for the i.i.d.-negatives counterexample: a 180×180 grid over all unit-column W (d = 2, τ = 5, α = ½)
    # finds the limit loss's minimum −0.0715 (the stationary W(g*)), far below W = I (0.567) and far from a permutation
    f = lambda G: LS.limit_eq9(G, 5.0, 0.5)  # noqa: E731
    r = NG.brute_force(f, 2, grid=180)
    ce = checks.thm1b_counterexample()
    assert r["best"] < ce["limit_loss_minus_I"] < r["loss_at_I"]
    # grid spacing 2°: the grid minimum is within 1e-3 of the analytic stationary value (quadratic in the angle error)
    assert abs(r["best"] - ce["limit_loss_W_gstar"]) < 1e-3 and r["max_perm_distance_near_best"] > 0.5


def _a16_loop(W, tau, alpha):
    """A.16 without its constant, written out (independent of surrogate_a17): (1/d)Σ_i E_{D1,D2}[−τS_ii + log Σ_j e^{τS_ij}],
    S_ij = D1_ii·D2_jj·⟨ReLU(W_{*i}), ReLU(W_{*j})⟩ (the j = i term with the positive's mask), masks enumerated."""
    import itertools

    import numpy as np

    U = np.maximum(W, 0.0)
    G = U.T @ U
    d = W.shape[1]
    tot = 0.0
    for i in range(d):
        for a, pa in ((1, alpha), (0, 1 - alpha)):
            for bits in itertools.product((0, 1), repeat=d):
                p = pa * np.prod([alpha if b else 1 - alpha for b in bits])
                S = np.array([a * bits[j] * G[i, j] for j in range(d)])
                tot += p * (-tau * S[i] + np.log(np.sum(np.exp(tau * S))))
    return tot / d


def test_thm1b_a16_literal_brute_force():
    # A.16 read literally (j ∈ [d], the j = i term is the positive with mask D₂ⁱ): I is the best found. Second method: the
    # loop implementation above (not surrogate_a17) on 3000 random unit-column W per (τ, α), d = 3 — nothing below L(I)
    import numpy as np

    r = NG.a16_literal_evidence(5.0, 0.5)
    for k, d in (("d2", 2), ("d3", 3)):
        assert r[k]["best"] >= r[k]["loss_at_I"] - 1e-12 and r[k]["max_perm_distance_near_best"] <= 1e-6
        assert abs(_a16_loop(np.eye(d), 5.0, 0.5) - r[k]["loss_at_I"]) < 1e-12  # float64 sums of 2^d·2d terms
    rng = np.random.default_rng(7)
    for tau in (0.5, 1.0, 5.0):  # the review's temperatures
        LI = _a16_loop(np.eye(3), tau, 0.5)
        Ws = rng.normal(size=(300, 3, 3))
        Ws /= np.linalg.norm(Ws, axis=1, keepdims=True)
        assert min(_a16_loop(W, tau, 0.5) for W in Ws) > LI  # measured margins ≥ 1e-3


def test_thm1b_cosine_similarity_breaks_it():
    # if S were the cosine similarity, the loss would see only the angles between ReLU columns: W′ = [[.6, −.6], [−.8, .8]]
    # (unit columns, 0.8 from every permutation) has ReLU columns (0.6, 0), (0, 0.8), cosine Gram = I, and attains −τα².
    # Second method: a Monte Carlo of eq. 9 itself (B = 20 negatives x′ ≠ x, own masks, common random numbers) gives W′
    # exactly the loss of I under the cosine S, and a different one under A.16's inner product
    c = NG.cosine_reading_evidence(5.0, 0.5)
    assert c["cosine_loss_W_prime"] == pytest.approx(-1.25, abs=1e-12) and c["loss_at_I"] == pytest.approx(-1.25, abs=1e-12)
    assert c["inner_product_loss_W_prime"] > -1.25 + 0.1 and c["perm_distance_W_prime"] == pytest.approx(0.8, abs=1e-12)
    assert c["n_near_best"] > 100 and c["max_perm_distance_near_best"] > 0.5  # a 2-d set of minimisers, not 2 points
    g = torch.Generator().manual_seed(3)
    n, B, d, tau, alpha = 4000, 20, 2, 5.0, 0.5
    i = torch.randint(0, d, (n,), generator=g)
    j = (i[:, None] + 1 + torch.randint(0, d - 1, (n, B), generator=g)) % d  # a different latent: x′ ≠ x
    m1, m2, m3 = (torch.rand(n, generator=g) < alpha), (torch.rand(n, generator=g) < alpha), (torch.rand(n, B, generator=g) < alpha)

    def eq9(W, cosine):
        U = torch.relu(W)
        if cosine:
            U = U / U.norm(dim=0, keepdim=True).clamp_min(1e-12)
        y1, y2, y3 = m1[:, None] * U[:, i].T, m2[:, None] * U[:, i].T, m3[..., None] * U[:, j].permute(1, 2, 0)
        sp_, sn = (y1 * y2).sum(-1), (y1[:, None, :] * y3).sum(-1)
        return float((torch.logsumexp(torch.cat([tau * sp_[:, None], tau * sn], 1), 1) - tau * sp_).mean())

    Wp, eye = torch.tensor(NG.W_ORTHOGONAL_RELU, dtype=torch.float64), torch.eye(2, dtype=torch.float64)
    assert abs(eq9(Wp, True) - eq9(eye, True)) < 1e-12  # identical samples, identical S: float64 round-off only
    assert eq9(Wp, False) - eq9(eye, False) > 0.1  # the inner product sees the column norms 0.6, 0.8


def test_negatives_bad_input():
    G = torch.eye(2, dtype=torch.float64)
    with pytest.raises(ValueError, match="tau"):
        NG.limit_distinct(G, 0.0, 0.5)
    with pytest.raises(ValueError, match="alpha"):
        NG.limit_distinct(G, 1.0, 1.5)
    with pytest.raises(ValueError, match="d must"):
        NG.limit_distinct(torch.ones(1, 1, dtype=torch.float64), 1.0, 0.5)
    with pytest.raises(ValueError, match="B must"):
        NG.finite_batch_distinct(G, 0, 1.0, 0.5)
