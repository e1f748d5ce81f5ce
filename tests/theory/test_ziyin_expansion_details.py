"""Details of ``theory/ziyin/expansion`` and ``expansion_numeric`` (Ziyin et al. §1.1 eq. 3–4, App. B) that the main
tests leave open: the fixed-data-set brute force against a hand-worked N = 2 case, float64 evaluation whatever the input
dtype, the validation boundaries of the numeric predictors, the σ-slope at α > 0, the seeded Monte Carlo draws
rebuilt by hand, and the fixed-data-set minimiser on a problem whose minimiser is known in closed form."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.numerics.losses import weighted_infonce
from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import expansion_numeric as en

A0 = np.array([[2.0, 0.5], [0.5, 1.0]])
C = np.diag([1.5, 3.0])
EXACT = 1e-12  # float64 round-off of sums of a few O(1) terms


# ----------------------------------------------------------------------------- brute_force_fixed_dataset
def test_fixed_dataset_brute_force_N2_by_hand():
    """N = 2, d = 1, fixed points p1, p2 (d = p1 − p2), noise variance c, default call (quartic included).
    ℓ's series: order 2 = (u1 − u0)/K, order 4 = α(u1 − u0)²/(2K²), K = 1 + α, with u0 = −½w²B², u1 = −½w²A²,
    A = d + Z (Z ~ N(0, 2c)), B ~ N(0, 2c), Cov(Z, B) = c (the shared anchor noise).  Isserlis by hand:
    E[A² − B²] = d², E[(A² − B²)²] = d⁴ + 8c d² + 12c², the same for both anchors, so
    E2 = −d²w²/(2K) (= the prediction −(N/K)(mean p² − mean(p)²)w²) and E4 = αw⁴(d⁴ + 8cd² + 12c²)/(8K²).
    The result is in real data symbols p1, p2, a real weight w and a positive variance c (the symbols a user writes)."""
    p = sp.symbols("p1:3", real=True)
    w, c = sp.Symbol("w", real=True), sp.Symbol("c", positive=True)
    K, d = 1 + ex.ALPHA, p[0] - p[1]
    e2, pred2, e4, (rp, rw, rc) = ex.brute_force_fixed_dataset(2)
    assert tuple(rp) == p and rw == w and rc == c
    want2 = -d**2 * w**2 / (2 * K)
    want4 = ex.ALPHA * w**4 * (d**4 + 8 * c * d**2 + 12 * c**2) / (8 * K**2)
    for got, want in ((e2, want2), (pred2, want2), (e4, want4)):
        assert sp.cancel(sp.together(got - want)) == 0


# ----------------------------------------------------------------------------- float64 evaluation
W2 = np.array([[0.3141592653589793, -0.2718281828459045], [0.1414213562373095, 0.5772156649015329]])


def test_expected_loss_small_w_evaluates_in_float64():
    """A longdouble W holding float64 values gives exactly the float64 result (the input is cast to float64 first; an
    extended-precision evaluation would differ in the last bits, which it does for this W)."""
    for W in (W2, 3 * W2, W2.T):
        want = ex.expected_loss_small_w(W, A0, C, 3, 0.5)
        assert ex.expected_loss_small_w(W.astype(np.longdouble), A0, C, 3, 0.5) == want


def test_curvature_at_origin_evaluates_in_float64():
    """float32 W: every float32 value is exact in float64, so the curvature −2Tr[WBWᵀ] + 2γ‖W‖² must equal the one of
    the same W given as float64 exactly (a float32 ‖W‖² would be off by ~1e-8 relative)."""
    W32 = np.array([[0.1, 0.7, -0.3], [0.33, -0.21, 0.9]], dtype=np.float32)
    A = np.diag([2.0, 1.0, 0.5])
    want = ex.curvature_at_origin(W32.astype(np.float64), A, np.eye(3), 4, 0.2, 0.3)
    assert ex.curvature_at_origin(W32, A, np.eye(3), 4, 0.2, 0.3) == want
    # and the value itself: −2(3/3.2)Tr[WAWᵀ] + 2·0.3‖W‖², both in float64 (round-off of ~10 terms)
    W = W32.astype(np.float64)
    assert abs(want - (-2 * 3 / 3.2 * np.trace(W @ A @ W.T) + 0.6 * (W**2).sum())) < EXACT


@pytest.mark.parametrize("which", ["a", "c"])
def test_predicted_gram_eigs_evaluates_in_float64(which):
    """float32 eigenvalue lists (a or c) give the float64 result (values exact in float64; rtol 1e-14 = a few float64
    roundings, while a float32 evaluation is off by ~1e-8)."""
    a, c = np.array([0.3, 1.7, 0.05]), np.array([0.11, 2.9, 0.7])
    a, c = a.astype(np.float32).astype(np.float64), c.astype(np.float32).astype(np.float64)
    want = ex.predicted_gram_eigs(a, c, 5, 0.4)
    args = (a.astype(np.float32), c) if which == "a" else (a, c.astype(np.float32))
    got = ex.predicted_gram_eigs(*args, 5, 0.4)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_predicted_B_fixed_dataset_evaluates_in_float64():
    """float32 data X: same B as the float64 copy of X (rtol 1e-14: float64 round-off; float32 centring is ~1e-7 off)."""
    X32 = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    want = ex.predicted_B_fixed_dataset(X32.astype(np.float64), 0.3)
    got = ex.predicted_B_fixed_dataset(X32, 0.3)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


# ----------------------------------------------------------------------------- validation boundaries
def test_predicted_gram_eigs_boundaries():
    """a_i ≥ 0, c_i ≥ 0, a_i + c_i > 0.  Legal edges: a = 0 (λ = 0: no signal), c = 0 (one direction: with R = a²/(2κ_S a²)
    λ = b/(2κ_S + 2κ_T) = 0.8/(0.8 + 0.16) = 5/6 at N = 3, α = ½: b = 0.8, κ_S = 0.4, κ_T = 0.08), a + c ≤ 1.
    Illegal: a negative a or c alone, and a = c = 0."""
    assert ex.predicted_gram_eigs([0.0], [1.0], 3, 0.5).tolist() == [0.0]
    assert abs(ex.predicted_gram_eigs([1.0], [0.0], 3, 0.5)[0] - 5 / 6) < EXACT
    lam = ex.predicted_gram_eigs([0.5], [0.25], 3, 0.5)[0]
    # one direction: λ = b a/(2(D + κ_T a²)), D = κ_S(a + c)² + κ_P c², κ_P = 0.08
    assert abs(lam - 0.8 * 0.5 / (2 * (0.4 * 0.75**2 + 0.08 * 0.25**2 + 0.08 * 0.25))) < EXACT
    for a, c in (([1.0], [-0.5]), ([-0.5], [1.0]), ([0.0], [0.0]), ([1.0, 0.0], [1.0, 0.0])):
        with pytest.raises(ValueError, match="A0_eigs and c_eigs must be >= 0"):
            ex.predicted_gram_eigs(a, c, 3, 0.5)


def test_paper_ncrit_forms_off_unit_a():
    """§1.1: N_crit = (1−α)c/a; eq. 7: a/(c(1−α)).  a = 2, c = 25, α = 0.1: 11.25 and 2/22.5; eq. 7 needs c > 0:
    c = ½ is legal (a = 1, α = 0: 2), c = 0 is not."""
    assert abs(ex.paper_ncrit_main(2.0, 25.0, 0.1) - 11.25) < EXACT
    assert abs(ex.paper_ncrit_eq7(2.0, 25.0, 0.1) - 2 / 22.5) < EXACT
    assert ex.paper_ncrit_eq7(1.0, 0.5, 0.0) == 2.0
    with pytest.raises(ValueError, match="c must be > 0"):
        ex.paper_ncrit_eq7(1.0, 0.0, 0.5)


def test_predicted_rank_fixed_dataset_edges():
    """d1 = 1 is legal (rank min(1, ·) = 1); zero features: no singular values, rank 0; data of small scale (max
    singular value < 1) with round-off-level singular values: the relative tolerance s_max·max(shape)·eps still
    counts only the 3 true directions."""
    rng = np.random.default_rng(7)
    assert ex.predicted_rank_fixed_dataset(rng.normal(size=(4, 3)), 1) == 1
    with pytest.raises(ValueError, match="d1"):
        ex.predicted_rank_fixed_dataset(rng.normal(size=(4, 3)), 0)
    assert ex.predicted_rank_fixed_dataset(np.zeros((3, 0)), 2) == 0
    low = 1e-3 * (rng.normal(size=(50, 3)) @ rng.normal(size=(3, 8)))
    s = np.linalg.svd(low - low.mean(0), compute_uv=False)
    assert s.max() < 1 and (s[3:] > 0).any()  # the case the relative tolerance is for
    assert ex.predicted_rank_fixed_dataset(low, 8) == 3


# ----------------------------------------------------------------------------- σ slope at α > 0
def test_sigma_slope_alpha1_by_hand():
    """λ = a/D, D = κ_S(a+σ²)² + κ_Pσ⁴ ⇒ d log λ/d log σ = −4σ²(κ_S(a+σ²) + κ_Pσ²)/D.  N = 2, α = 1: κ_S = ¼, κ_P = ⅛;
    a = 1, σ = 2: −16·(5/4 + 1/2)/(25/4 + 2) = −112/33 (exact).  The expression is in positive symbols a, σ."""
    expr, a, s = ex.sigma_slope_expr()
    ah, sh = sp.Symbol("a", positive=True), sp.Symbol("sigma", positive=True)
    assert (a, s) == (ah, sh)
    assert sp.nsimplify(expr.subs({ah: 1, sh: 2, ex.N_: 2, ex.ALPHA: 1})) == sp.Rational(-112, 33)
    assert abs(ex.sigma_slope(1.0, 2.0, 2, 1.0) + 112 / 33) < EXACT
    # N = 5, α = ½, a = 0.7, σ = 1.3 from the same formula with exact fractions (K = 4.5)
    N, al, av, sv = 5, Fraction(1, 2), Fraction(7, 10), Fraction(13, 10)
    K = N - 1 + al
    kS, kP = (N - 1) * (Fraction(3, 4) * (N - 2) + al) / K**2, al * (N - 1) / (2 * K**2)
    want = -4 * sv**2 * (kS * (av + sv**2) + kP * sv**2) / (kS * (av + sv**2) ** 2 + kP * sv**4)
    assert abs(ex.sigma_slope(0.7, 1.3, 5, 0.5) - float(want)) < EXACT


# ----------------------------------------------------------------------------- seeded Monte Carlo draws
def _lse(a):
    m = a.max(-1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(-1, keepdims=True)))[..., 0]


def test_sample_population_draws_by_hand():
    """The documented setting rebuilt from the seeded generator (draw order x̂, ε, ε', x̂_j, ε_j; diagonal A0, C so the
    square roots are diag(√·)): anchor x = x̂ + ε, positive x̂ + ε', negatives x̂_j + ε_j; eq. 3 per sample in numpy."""
    N, alpha, n, d0 = 3, 0.4, 6, 2
    a, c = np.array([2.0, 0.5]), np.array([1.5, 0.3])
    W = np.array([[0.7, -0.4], [0.2, 0.9]])
    ell, o2, o4 = (t.numpy() for t in en.sample_population(torch.tensor(W), np.diag(a), np.diag(c), N, alpha, n, 5))
    g = torch.Generator().manual_seed(5)
    z = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64).numpy()  # noqa: E731
    xh, e, ep = z(n, d0) * np.sqrt(a), z(n, d0) * np.sqrt(c), z(n, d0) * np.sqrt(c)
    xhj, ej = z(n, N - 1, d0) * np.sqrt(a), z(n, N - 1, d0) * np.sqrt(c)
    x, xp, chi = xh + e, xh + ep, xhj + ej
    u0 = -0.5 * (((x - xp) @ W.T) ** 2).sum(-1)
    uj = -0.5 * (((x[:, None, :] - chi) @ W.T) ** 2).sum(-1)
    K = N - 1 + alpha
    want = -u0 + _lse(np.concatenate([uj, u0[:, None] + math.log(alpha)], -1))
    S = (uj.sum(-1) + alpha * u0) / K
    Q = ((uj**2).sum(-1) + alpha * u0**2) / K
    np.testing.assert_allclose(ell, want, rtol=0, atol=EXACT)
    np.testing.assert_allclose(o2, -u0 + S, rtol=0, atol=EXACT)
    np.testing.assert_allclose(o4, 0.5 * (Q - S**2), rtol=0, atol=EXACT)


def test_paired_expected_loss_draws_by_hand():
    """Noise rebuilt from the seed (ε₁ then ε₂, each z·√C for diagonal C): views f1 = W(x + ε₁), f2 = W(x + ε₂), per draw
    the anchor mean of ℓ_i = ½|f1_i − f2_i|² + log(Σ_{j≠i} e^{−½|f1_i − f2_j|²} + α e^{−½|f1_i − f2_i|²}) (eq. 3 in numpy,
    to round-off); and the numbers are the trainer's fused kernel's exactly (docstring)."""
    X = np.random.default_rng(8).normal(size=(4, 3))
    c = np.array([0.5, 1.0, 2.0])
    W = np.array([[0.6, -0.2, 0.4], [0.1, 0.8, -0.5]])
    alpha, draws = 0.3, 5
    _, v = en.paired_expected_loss(X, np.diag(c), alpha, [W], draws, 4)
    g = torch.Generator().manual_seed(4)
    e1 = torch.randn(draws, 4, 3, generator=g, dtype=torch.float64).numpy() * np.sqrt(c)
    e2 = torch.randn(draws, 4, 3, generator=g, dtype=torch.float64).numpy() * np.sqrt(c)
    f1, f2 = (X + e1) @ W.T, (X + e2) @ W.T
    D = 0.5 * ((f1[:, :, None, :] - f2[:, None, :, :]) ** 2).sum(-1)  # (draws, i, j)
    want = []
    for r in range(draws):
        ell = [D[r, i, i] + math.log(sum(math.exp(-D[r, i, j]) for j in range(4) if j != i) + alpha * math.exp(-D[r, i, i]))
               for i in range(4)]
        want.append(np.mean(ell))
    np.testing.assert_allclose(v[:, 0], want, rtol=0, atol=EXACT)
    fused = weighted_infonce(torch.tensor(f1), torch.tensor(f2), torch.full((draws,), alpha, dtype=torch.float64),
                             fused=True).numpy()
    np.testing.assert_allclose(v[:, 0], fused, rtol=0, atol=EXACT)
    # the same kernel on the same float64 inputs: bit-identical, not just within round-off
    f1t = (torch.as_tensor(X) + torch.as_tensor(e1)) @ torch.as_tensor(W).T
    f2t = (torch.as_tensor(X) + torch.as_tensor(e2)) @ torch.as_tensor(W).T
    assert np.array_equal(v[:, 0], weighted_infonce(f1t, f2t, torch.full((draws,), alpha, dtype=torch.float64),
                                                    fused=True).numpy())


def test_paired_expected_loss_chunk_and_input_dtype():
    """chunk must be an integer ≥ 1: chunk = 1 is legal and gives the same numbers (draws are independent); 0, −1 and
    2.5 raise naming chunk.  X and W given in extended precision (np.longdouble, float64 values) are evaluated in
    float64: identical to the float64 call."""
    X = np.random.default_rng(9).normal(size=(3, 2))
    Ws = [0.4 * np.eye(2), np.array([[0.3, -0.6]])]
    m, v = en.paired_expected_loss(X, C, 0.5, Ws, 6, 2)
    m1, v1 = en.paired_expected_loss(X, C, 0.5, Ws, 6, 2, chunk=1)
    assert np.array_equal(v, v1)
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="chunk"):
            en.paired_expected_loss(X, C, 0.5, Ws, 6, 2, chunk=bad)
    _, vl = en.paired_expected_loss(X.astype(np.longdouble), C, 0.5, [W.astype(np.longdouble) for W in Ws], 6, 2)
    assert np.array_equal(v, vl)


# ----------------------------------------------------------------------------- fixed-data-set minimiser
@pytest.mark.parametrize("alpha,c,w2", [(1.0, 0.0, 1.0), (0.5, 0.5, 12 / 17.5)])
def test_fixed_dataset_minimizer_reaches_the_closed_form_minimum(alpha, c, w2):
    """X = {+1, −1} (d = 2 apart), d0 = d1 = 1: E2 = −(2/(1+α))w², E4 = α(16 + 32c + 12c²)w⁴/(8(1+α)²) (the N = 2 case
    above), so w*² = 8(1+α)/(α(16 + 32c + 12c²)): 1 at α = 1, c = 0; 12/17.5 at α = c = ½.  Curvature there
    f'' = 4·2/(1+α) ≥ 4.  Stopping: ‖∇‖ ≤ 1e-12, or a stall when a step changes the loss by < 1e-18 (tolerance_change),
    i.e. g²/(2f'') < 1e-18 ⇒ g < 3.3e-9 (measured ≤ 2.3e-9 over seeds 0–5); so ‖∇‖ < 1e-8 and |w − w*| < 1e-8/4."""
    X = np.array([[1.0], [-1.0]])
    for seed in range(4):
        W, g = en.fixed_dataset_minimizer(X, [[c]], alpha, seed=seed)
        assert W.shape == (1, 1) and g < 1e-8, (seed, g)
        assert abs(abs(W[0, 0]) - math.sqrt(w2)) < 2.5e-9, seed
