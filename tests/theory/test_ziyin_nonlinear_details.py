"""Details of theory/ziyin/nonlinear_features.py on tiny inputs: the relu map, the exact erf closed forms at
a = 1, σ² = ½ (arcsin(½) = π/6, so A_φ = 1/3), α > 0 (b = (N−1)/(N−1+α) = 6/7 at N = 4, α = ½), the documented
quadrature rules (Gauss–Hermite node counts, the trapezoid window), the crossing search's conventions, and the
Monte Carlo / NT-Xent estimators recomputed from the same seeded draws with independent formulas."""
from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.theory.ziyin import nonlinear_features as nf

B67 = 6 / 7  # b at N = 4, α = ½: 3/3.5


def _gh(n):
    """Probabilists' Gauss–Hermite nodes and weights normalised to sum 1: numpy's hermegauss, through the module's
    lru-cached copy of that call (building the 301-node rule is the slowest step of these tests)."""
    return nf._hermite(n)


def _erf_A(a, s2):
    """A_φ for φ = erf (Price's theorem, checked in test_ziyin_expansion_nonlinear): (2/π)asin(2a/(1 + 2a + 2σ²))."""
    return 2 / math.pi * math.asin(2 * a / (1 + 2 * a + 2 * s2))


# ----------------------------------------------------------------------------- feature maps and smoothing
def test_relu_feature_map():
    """φ = relu at σ = 0: m(x̂) = max(x̂, 0) elementwise."""
    assert nf.smoothed("relu", [-1.5, 0.0, 2.0], 0.0).tolist() == [0.0, 0.0, 2.0]


def test_smoothed_at_zero_noise_evaluates_in_float64():
    """σ = 0: m = φ(x̂) evaluated in float64 even for float32 points (math.tanh of the same values; 1e-15 relative is
    a few ulp of float64 tanh, float32 tanh would be off by ~1e-8)."""
    p = np.array([0.3, -1.7, 2.9], dtype=np.float32)
    got = nf.smoothed("tanh", p, 0.0)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [math.tanh(float(v)) for v in p], rtol=1e-15, atol=0)


def test_smoothed_default_rule_is_301_node_gauss_hermite():
    """m(x̂) = Σ_k w_k tanh(x̂ + σx_k) with the 301-node rule (the documented default), written out here at σ = 5
    (where the rule is not yet converged, so its node count is visible); 1e-12 relative: summation round-off."""
    p = np.array([0.3, 2.0])
    x, w = _gh(301)
    want = np.tanh(p[:, None] + 5.0 * x[None, :]) @ w
    np.testing.assert_allclose(nf.smoothed("tanh", p, 5.0), want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("nodes", [None, 41])
def test_smoothed_variance_nested_rule(nodes):
    """A_φ = Σ_i w_i (m_i − Σw m)², m_i = Σ_k w_k tanh(√a x_i + σ x_k), both rules with ``nodes`` points (default
    301), written out here at a = 1, σ = 5; 1e-12 relative: summation round-off of O(1) sums."""
    n = 301 if nodes is None else nodes
    x, w = _gh(n)
    m = np.tanh(x[:, None] + 5.0 * x[None, :]) @ w
    want = float(np.sum(w * (m - np.sum(w * m)) ** 2))
    got = nf.smoothed_variance("tanh", 1.0, 5.0) if nodes is None else nf.smoothed_variance("tanh", 1.0, 5.0, nodes)
    assert got == pytest.approx(want, rel=1e-12)


def _relu_A(a, s2):
    """Var_x̂ E_ε relu(x̂ + ε) = E relu(x)relu(x') − (E relu x)², x, x' of variance s2 with covariance a: arc-cosine
    kernel s2/(2π)(sin θ + (π − θ)cos θ), θ = acos(a/s2), minus s2/(2π)."""
    th = math.acos(a / s2)
    return s2 / (2 * math.pi) * (math.sin(th) + (math.pi - th) * math.cos(th)) - s2 / (2 * math.pi)


def test_relu_smoothed_variance_is_a_variance():
    """relu (not odd, mean ≠ 0): Var relu(x̂) = a(½ − 1/(2π)) at σ = 0 and the arc-cosine value at σ = 1.
    Tolerance 1e-2 relative: both quadratures integrate relu's kink (measured 2.5e-3 for Gauss–Hermite, O(step²) for
    the trapezoid); centring on the wrong side of the mean would add 4(E m)² ≥ 0.6, far outside it."""
    assert nf.smoothed_variance("relu", 1.0, 0.0) == pytest.approx(0.5 - 1 / (2 * math.pi), rel=1e-2)
    assert nf.smoothed_variance_grid("relu", 1.0, 1.0) == pytest.approx(_relu_A(1.0, 2.0), rel=1e-2)


def test_grid_variance_outer_rule_is_81_node_gauss_hermite():
    """smoothed_variance_grid at a = 10, σ = 1, φ = erf: E_ε erf(x̂ + ε) = erf(x̂/√(1 + 2σ²)) exactly, so the result
    is the 81-node Gauss–Hermite variance of that function (the documented xnodes); at a = 10 this rule is off the
    exact A_φ by 6e-7, so its node count matters.  1e-12 relative: the trapezoid inner integral is spectrally
    accurate (measured 3e-14)."""
    x, w = _gh(81)
    m = np.array([math.erf(math.sqrt(10.0) * xi / math.sqrt(3.0)) for xi in x])
    want = float(np.sum(w * (m - np.sum(w * m)) ** 2))
    assert nf.smoothed_variance_grid("erf", 10.0, 1.0) == pytest.approx(want, rel=1e-12)
    assert abs(want / _erf_A(10.0, 1.0) - 1) < 1e-6  # the rule itself is accurate to ~6e-7 here


def test_grid_variance_small_noise_window():
    """Small noise, tiny a (a = 1e-4, σ = 0.1, step 0.005): the ±12√(a + σ²) window holds the whole Gaussian, so the
    erf value matches the closed form; 1e-10 relative (measured 4e-14; a window cut at 4σ would lose ~2e-3)."""
    got = nf.smoothed_variance_grid("erf", 1e-4, 0.1, step=0.005)
    assert got == pytest.approx(_erf_A(1e-4, 0.01), rel=1e-10)


# ----------------------------------------------------------------------------- erf closed forms, b with α > 0
def test_erf_curvature_expr_exact_point():
    """−2bA_φ + 2γ at a = 1, σ² = ½: A_φ = (2/π)asin(½) = 1/3, so b = 6/7, γ = 1/10 give −4/7 + 1/5 = −13/35; the
    stated crossing σ*² zeroes the curvature (residual 0) and the slope in σ² is positive."""
    curv, star, resid, dcurv = nf.erf_curvature_expr()
    pt = {nf.A_: 1, nf.SIG2: sp.Rational(1, 2), nf.B_: sp.Rational(6, 7), nf.GAM: sp.Rational(1, 10)}
    assert sp.nsimplify(sp.simplify(curv.subs(pt))) == sp.Rational(-13, 35)
    # resid keeps asin(sin(πγ/(2b))), which is πγ/(2b) for γ ≤ b: 0 at this point (float evaluation, 1e-12)
    assert abs(float(resid.subs(pt))) < 1e-12
    assert sp.simplify(dcurv.subs(pt)) > 0


def test_erf_crossing_with_alpha():
    """N = 4, α = ½ (b = 6/7), a = 1, γ = b/3 = 2/7: the curvature −2b·A_φ + 2γ vanishes where A_φ = 1/3, i.e. at
    σ² = ½ (above), so σ* = √½ (1e-12: float64 sin/asin round-off); a crossing below σ = 1 is reported."""
    assert nf.erf_crossing(1.0, 4, 0.5, 2 / 7) == pytest.approx(math.sqrt(0.5), rel=1e-12)


def test_erf_crossing_zero_curvature_at_zero_noise_is_not_a_crossing():
    """a = ½, N = 2, α = 0 (b = 1): A_φ(σ = 0) = (2/π)asin(½) = 1/3, so γ = 1/3 (rounded up one ulp, where the formula
    gives σ*² = 0.0 exactly in IEEE float64 with a correctly rounded sin) makes the curvature 0 at σ = 0 and positive
    beyond: no sign change, hence None, as for any γ above it."""
    g = float(np.nextafter(1 / 3, 1.0))
    assert nf.erf_crossing(0.5, 2, 0.0, g) is None
    assert nf.erf_crossing(0.5, 2, 0.0, 0.34) is None


# ----------------------------------------------------------------------------- curvature, B, tables
def test_b_coefficient_and_curvature_with_alpha():
    """b(4, ½) = 6/7; curvature = −2b Tr[W A Wᵀ] + 2γ‖W‖²: W = (1, −2), A = diag(½, ¼) give Tr = 1.5, ‖W‖² = 5, so
    −18/7 with the default γ = 0 and −18/7 + 1 = −11/7 at γ = 0.1 (1e-14: float64 round-off)."""
    assert nf.b_coefficient(4, 0.5) == pytest.approx(B67, rel=1e-15)
    W, A = [[1.0, -2.0]], np.diag([0.5, 0.25])
    assert nf.curvature(W, A, 4, 0.5) == pytest.approx(-18 / 7, rel=1e-14)
    assert nf.curvature(W, A, 4, 0.5, 0.1) == pytest.approx(-11 / 7, rel=1e-14)


def test_curvature_float32_weights_in_float64():
    """float32 W = (0.1, −0.3): the exact value from fractions of the float32 entries (b = 6/7, A = I, γ = 1/4):
    −2b‖W‖² + 2γ‖W‖²; 1e-14 relative is float64 round-off (float32 squares would be off by ~1e-8)."""
    W = np.array([[0.1, -0.3]], dtype=np.float32)
    n2 = sum(Fr(float(v)) ** 2 for v in W.ravel())
    want = float(-2 * Fr(6, 7) * n2 + 2 * Fr(1, 4) * n2)
    assert nf.curvature(W, np.eye(2), 4, 0.5, 0.25) == pytest.approx(want, rel=1e-14)


def test_source_feature_B_identity_with_alpha():
    """The source's B for φ = id: A0 = a, Σ = a + σ², C = σ², B = a − (1−α)σ²/N; a = σ = 1, N = 2, α = ½ gives 3/4,
    and the source curvature with the default γ = 0 is −3/2 (Gauss–Hermite is exact for z², 1e-13 round-off)."""
    assert nf.source_feature_B("identity", 1.0, 1.0, 2, 0.5) == pytest.approx(0.75, rel=1e-13)
    assert nf.source_curvature("identity", 1.0, 1.0, 2, 0.5) == pytest.approx(-1.5, rel=1e-13)


def test_fixed_dataset_B_float32_features():
    """(N/K)Ĉov(M) = Σ_i (m_i − m̄)²/(N − 1 + α) for one feature, from exact fractions of float32 features
    (0.1, 0.3, 0.7), α = ½; 1e-14 relative: float64 round-off (float32 arithmetic would be off by ~1e-7)."""
    M = np.array([[0.1], [0.3], [0.7]], dtype=np.float32)
    v = [Fr(float(x)) for x in M.ravel()]
    mean = sum(v) / 3
    want = float(sum((x - mean) ** 2 for x in v) / Fr(5, 2))
    assert nf.fixed_dataset_B(M, 0.5)[0, 0] == pytest.approx(want, rel=1e-14)


def test_curvature_table_erf_row():
    """φ = erf, a = 1, σ² = ½, N = 4, α = ½, γ = 1/10: A_φ = 1/3 and curvature −13/35 (exact values above);
    1e-9: the 301-node nested quadrature of the entire erf (test_ziyin_expansion_nonlinear)."""
    (row,) = nf.curvature_table("erf", 1.0, (math.sqrt(0.5),), 4, 0.5, 0.1)
    assert row["A_phi"] == pytest.approx(1 / 3, rel=1e-9)
    assert row["curvature"] == pytest.approx(-13 / 35, rel=1e-9)


# ----------------------------------------------------------------------------- crossing_sigma
def _gh_tanh_A(a, s, n=301):
    x, w = _gh(n)
    m = np.tanh(math.sqrt(a) * x[:, None] + s * x[None, :]) @ w
    return float(np.sum(w * (m - np.sum(w * m)) ** 2))


def test_crossing_sigma_with_alpha_below_one():
    """b = 6/7, γ = 0.3b: the crossing is where A_φ(σ) = γ/b = 0.3, between σ = 0 (A = 0.39) and σ = 1 (A = 0.24);
    at the returned σ, A_φ by an independent 301-node quadrature is 0.3 within 1e-4 (brentq xtol 1e-4 in σ times
    |dA/dσ| < 0.5)."""
    gam = 0.3 * B67
    s = nf.crossing_sigma("tanh", 1.0, 4, 0.5, gam, hi=5.0)
    assert s is not None and 0.0 < s < 1.0
    assert abs(_gh_tanh_A(1.0, s) - 0.3) < 1e-4


def test_crossing_sigma_needs_a_negative_start():
    """γ = b·A_φ(0) exactly (b = 1 at α = 0): the curvature is 0 at σ = 0 and positive beyond — no sign change, so
    no crossing (None)."""
    gam = nf.smoothed_variance("tanh", 1.0, 0.0)
    assert nf.crossing_sigma("tanh", 1.0, 4, 0.0, gam, hi=5.0) is None


def test_crossing_sigma_default_search_range():
    """The default search range is [0, 100]: with γ = 2/(π·100.5²) the tanh crossing lies at σ ≈ 100.5 (large-σ law
    A_φ ≈ 2a/(πσ²), relative corrections O(1/σ²) ~ 1e-4 against a 1% gap between σ = 100 and 101), so None."""
    assert nf.crossing_sigma("tanh", 1.0, 4, 0.0, 2 / (math.pi * 100.5**2)) is None


# ----------------------------------------------------------------------------- estimators from seeded draws
def _ntxent_np(z1, z2, tau):
    z = np.concatenate([z1, z2])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = z @ z.T / tau
    np.fill_diagonal(s, -np.inf)
    n = len(z1)
    pos = np.concatenate([np.diag(s, n), np.diag(s, -n)])
    return float(np.mean(np.log(np.exp(s).sum(1)) - pos))


def test_rescaling_profile_recomputed_from_its_draws():
    """The profile is NT-Xent (numpy, written here) of a·tanh(x)Wᵀ + b on the batch drawn from the seeded generator
    in the documented order (x̂, ε, ε', W, b, float64); n = 16, τ = 0.2, with a bias.  1e-12 relative: float64
    round-off of log-sum-exps of O(5) logits."""
    n, tau, sig = 16, 0.2, 1.0
    g = torch.Generator().manual_seed(3)
    dt = torch.float64
    xh = torch.randn(n, 2, generator=g, dtype=dt)
    x1 = xh + sig * torch.randn(n, 2, generator=g, dtype=dt)
    x2 = xh + sig * torch.randn(n, 2, generator=g, dtype=dt)
    W = torch.randn(2, 2, generator=g, dtype=dt).numpy()
    b = torch.randn(2, generator=g, dtype=dt).numpy()
    a_vals = (0.5, 2.0)
    want = [_ntxent_np(a * np.tanh(x1.numpy()) @ W.T + b, a * np.tanh(x2.numpy()) @ W.T + b, tau) for a in a_vals]
    got = nf.normalized_rescaling_profile(a_vals, bias=True, n=n, tau=tau, seed=3)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def _mc_recomputed(phi, W, a, sigma, N, alpha, gamma, n, batches, seed):
    """Batch values of the exact sample curvature at t = 0: every logit is 0 there, so d²/dt² of
    −u0 + lse(u_j, u0 + log α) with u = −t²D/2 is D0 − (Σ_j D_j + αD0)/K, plus 2γ‖W‖²; same draws as documented
    (per batch: x̂, ε, ε', then √a·z + σ·z' for the N − 1 negatives)."""
    f = {"tanh": np.tanh, "identity": lambda z: z}[phi]
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    d0, K = W.shape[1], N - 1 + alpha
    g = torch.Generator().manual_seed(seed)
    dt = torch.float64
    vals = []
    for _ in range(batches):
        xh = math.sqrt(a) * torch.randn(n, d0, generator=g, dtype=dt).numpy()
        e = sigma * torch.randn(n, d0, generator=g, dtype=dt).numpy()
        ep = sigma * torch.randn(n, d0, generator=g, dtype=dt).numpy()
        chi = math.sqrt(a) * torch.randn(n, N - 1, d0, generator=g, dtype=dt).numpy()
        chi = chi + sigma * torch.randn(n, N - 1, d0, generator=g, dtype=dt).numpy()
        px, pxp, pchi = f(xh + e) @ W.T, f(xh + ep) @ W.T, f(chi) @ W.T
        D0 = ((px - pxp) ** 2).sum(-1)
        Dj = ((px[:, None, :] - pchi) ** 2).sum(-1).sum(-1)
        vals.append(float(np.mean(D0 - (Dj + alpha * D0) / K)) + 2 * gamma * float(np.sum(W**2)))
    v = np.asarray(vals)
    return v.mean(), v.std(ddof=1) / math.sqrt(v.size)


def test_mc_curvature_is_the_sample_curvature_of_its_draws():
    """Autograd's d²/dt² through the log-sum-exp equals the closed-form sample curvature of the same draws
    (tanh, W = (1, −½), a = 0.8, σ = 0.6, N = 3, α = ½, γ = 0.1); mean and SE to 1e-10 relative (float64 round-off of
    means over 300 anchors)."""
    args = ("tanh", [[1.0, -0.5]], 0.8, 0.6, 3, 0.5, 0.1)
    got = nf.mc_curvature(*args, n=300, batches=3, seed=4)
    np.testing.assert_allclose(got, _mc_recomputed(*args, n=300, batches=3, seed=4), rtol=1e-10, atol=0)


def test_mc_curvature_defaults():
    """The documented defaults n = 20 000 anchors, 10 batches, seed 0 (identity, d0 = 1, N = 2, α = ½, γ = 0):
    same closed-form sample curvature of the same draws, 1e-10 relative (round-off)."""
    args = ("identity", [[1.0]], 1.0, 0.5, 2, 0.5, 0.0)
    np.testing.assert_allclose(nf.mc_curvature(*args), _mc_recomputed(*args, n=20_000, batches=10, seed=0),
                               rtol=1e-10, atol=0)


@pytest.mark.parametrize("nodes", [0, 401])
def test_quadrature_node_count_out_of_range_is_named(nodes):
    """0 nodes is no rule; from about 370 nodes numpy's Gauss-Hermite weights overflow (they were NaN results):
    both are a ValueError naming ``nodes``, for the pointwise m(x̂) and for its variance."""
    nf._hermite.cache_clear()
    with pytest.raises(ValueError, match="nodes must be"):
        nf.smoothed("tanh", [0.3], 1.0, nodes=nodes)
    with pytest.raises(ValueError, match="nodes must be"):
        nf.smoothed_variance("tanh", 1.0, 1.0, nodes=nodes)
