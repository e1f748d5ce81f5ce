"""Fixed nonlinear features (Ziyin et al. §1.3, eq. 6, Fig. 1): the curvature of weighted InfoNCE at W = 0,
derived from the loss (SymPy), the erf closed form (Price's theorem), tanh by quadrature, and — as second
methods — Monte Carlo + torch autograd through the actual loss and an independent Gauss–Hermite check."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.numerics.tolerance import assert_rel_close
from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import nonlinear_features as nf

Z = 5.0  # 5 Monte Carlo standard errors: false alarm < 1e-6 per comparison
FLOAT = "float64 evaluation of closed forms (~1e3 eps)"


def test_feature_order2_is_derived_from_the_loss():
    # order W² of E[ℓ] for ANY fixed φ: −b(Tpp − T11) = −b Tr[W Cov_x̂(E_ε φ) Wᵀ]; the conditional covariance
    # (T2 − Tpp, the analogue of C) does not enter; the u-level series of eq. 3 gives the same at N = 2, 3, 4
    res = nf.feature_order2_residuals((2, 3, 4))
    assert all(v == 0 for v in res.values()), res
    # φ = identity reproduces the linear model's −(N−1)/K Tr[WA0Wᵀ]
    assert nf.linear_features_reduce_to_linear_model() == 0
    # R3 reading (no weight decay): the order-2 coefficient is −b·(a variance) ≤ 0 for every N, α
    E2 = nf.feature_order2()
    v, n = sp.Symbol("v", nonnegative=True), sp.Symbol("n", positive=True)  # v = Tr[WA_φWᵀ] ≥ 0, N = 1 + n
    assert sp.simplify(E2.subs({nf.TPP: nf.T11 + v}).subs(ex.N_, 1 + n)).is_nonpositive


def test_erf_closed_form_matches_quadrature():
    # Price's theorem: ∂F/∂r = (4/π)det(I+2Σ)^{-1/2}, F(s, 0) = 0  ⇒  F = (2/π) arcsin(2r/(1+2s))
    F, res, (s, r) = nf.erf_covariance_expr()
    assert all(v == 0 for v in res.values()), res
    # the Gaussian integral behind it, E exp(−Y1²−Y2²) = det(I+2Σ)^{-1/2}, by adaptive 2-d quadrature of the density
    from scipy.integrate import dblquad

    for sv, rv in ((1.0, 0.4), (3.0, 2.5)):
        Si = np.linalg.inv(np.array([[sv, rv], [rv, sv]]))
        norm = 2 * math.pi * math.sqrt(sv**2 - rv**2)
        val, err = dblquad(lambda y2, y1: math.exp(-y1**2 - y2**2 - 0.5 * (Si[0, 0] * y1**2 + 2 * Si[0, 1] * y1 * y2
                                                                            + Si[1, 1] * y2**2)) / norm, -12, 12, -12, 12,
                           epsabs=1e-13, epsrel=1e-11)
        # dblquad's own error estimate (≤ 1e-11 relative requested); the cut at |y| = 12 loses < e^{-144}
        assert_rel_close(val, ((1 + 2 * sv) ** 2 - 4 * rv**2) ** -0.5, 1e-9, reason="adaptive quadrature, epsrel 1e-11")
    # A_φ for erf: nested 1-d quadrature (independent code path) = closed form
    for a, sig in ((1.0, 0.0), (1.0, 2.0), (0.3, 3.0)):
        # 301-node nested Gauss–Hermite of a smoothed erf (erf entire): measured error < 1e-10 at σ ≤ 3
        assert_rel_close(nf.smoothed_variance("erf", a, sig), nf.erf_feature_variance(a, sig), 1e-9,
                         reason="301-node nested Gauss–Hermite of an entire integrand")
    # the crossing σ* zeroes the curvature; curvature rises with σ² (derivative > 0 form checked in the decision)
    sstar = nf.erf_crossing(1.0, 4, 0.0, 0.1)
    assert_rel_close(sstar, math.sqrt(1 / math.sin(math.pi * 0.05) - 1.5), 1e-12, reason=FLOAT)
    curv = lambda sg: nf.curvature([[1.0]], [[nf.erf_feature_variance(1.0, sg)]], 4, 0.0, 0.1)  # noqa: E731
    assert abs(curv(sstar)) < 1e-12  # float64 round-off of arcsin/sin
    assert curv(0.99 * sstar) < 0 < curv(1.01 * sstar)
    assert nf.erf_crossing(1.0, 4, 0.0, 0.0) is None and nf.erf_crossing(0.01, 4, 0.0, 0.9) is None


def test_tanh_curvature_mc_autograd():
    # second method for the tanh table of ziyin.origin-stability: autograd d²/da² through the ACTUAL loss
    # (log-sum-exp, no expansion), Monte Carlo over 1.2 × 10⁴ anchors, vs quadrature of −2b Var(E_ε tanh) + 2γ
    table = nf.curvature_table("tanh", 1.0, (0.0, 5.0), 4, 0.0, 0.1)
    for row, seed in zip(table, (1, 2)):
        m, se = nf.mc_curvature("tanh", [[1.0]], 1.0, row["sigma"], 4, 0.0, 0.1, n=2_000, batches=6, seed=seed)
        assert abs(m - row["curvature"]) <= Z * se, (row, m, se)
    # the quadrature values quoted in the record (−0.589 at σ = 0, +0.153 at σ = 5), to their printed 3 decimals
    assert round(table[0]["curvature"], 3) == -0.589 and round(table[1]["curvature"], 3) == 0.153
    # the source's B with its own A0 = E φ(x̂)², C = Σ − A0 keeps the origin a saddle at σ = 5
    assert table[1]["source_curvature"] < -0.3


def test_normalized_loss_is_flat_in_a():
    # ziyin.origin-stability, Fig. 1's "SimCLR loss with normalization": NT-Xent of f/‖f‖ with f = aWφ(x) (no bias)
    # cannot depend on a > 0 — normalisation removes it — so the curvature test of Fig. 1 has nothing to measure; with a
    # bias b it does depend on a (and a = 0 maps every embedding to b/‖b‖). Second method: a numpy NT-Xent written here.
    a_vals = (1e-3, 1e-1, 1.0, 10.0, 1e3)
    flat = nf.normalized_rescaling_profile(a_vals, bias=False)
    assert max(flat) - min(flat) <= 1e-12 * max(flat)  # float64 round-off of a few log-sum-exps of O(1) values
    biased = nf.normalized_rescaling_profile((0.0,) + a_vals, bias=True)
    assert max(biased) - min(biased) > 0.1  # measured 0.22

    def ntxent_np(z1, z2, tau=0.5):
        z = np.concatenate([z1, z2])
        z = z / np.linalg.norm(z, axis=1, keepdims=True)
        s = z @ z.T / tau
        np.fill_diagonal(s, -np.inf)
        n = len(z1)
        pos = np.concatenate([np.diag(s, n), np.diag(s, -n)])
        return float(np.mean(np.log(np.exp(s).sum(1)) - pos))

    rng = np.random.default_rng(2)
    xh = rng.normal(size=(32, 2))
    x1, x2, W = xh + rng.normal(size=(32, 2)), xh + rng.normal(size=(32, 2)), rng.normal(size=(2, 2))
    vals = [ntxent_np(a * np.tanh(x1) @ W.T, a * np.tanh(x2) @ W.T) for a in a_vals]
    assert max(vals) - min(vals) <= 1e-12 * max(vals)  # same round-off argument


def test_crossing_sigma_source_weight_decay():
    # the proxy's γ = 0.1 (100× the source's 1e-3) crosses at σ ≈ 2.14; at γ = 1e-3 the crossing is σ ≈ 25.2
    # (A_φ ≈ 2a/(πσ²) for large σ). Second method: adaptive quadrature (scipy quad) of m(x̂) = ∫tanh(y)N(y; x̂, σ²)dy at
    # the crossing, vs the trapezoid grid that located it; and Gauss–Hermite (301 nodes, accurate for σ ≤ 5) at γ = 0.1
    from scipy import integrate
    from numpy.polynomial.hermite_e import hermegauss

    s01 = nf.crossing_sigma("tanh", 1.0, 4, 0.0, 0.1)
    assert 2.0 < s01 < 3.0 and round(s01, 2) == 2.14
    assert abs(nf.smoothed_variance("tanh", 1.0, s01) - 0.1) < 1e-5  # brentq xtol 1e-4 in σ: |dA/dσ| ≈ 0.07
    s3 = nf.crossing_sigma("tanh", 1.0, 4, 0.0, 1e-3)
    assert 25.0 < s3 < 30.0 and round(s3, 1) == 25.2
    assert abs(2 / (np.pi * s3**2) / 1e-3 - 1) < 0.05  # the large-σ law, O(1/σ²) corrections
    x, w = hermegauss(41)
    w = w / w.sum()
    m = np.array([integrate.quad(lambda y, c=c: np.tanh(y) * np.exp(-(y - c) ** 2 / (2 * s3**2)) / np.sqrt(2 * np.pi * s3**2),
                                 -12 * s3, 12 * s3, points=[0.0], limit=200, epsabs=1e-13)[0] for c in x])
    A = float(np.sum(w * (m - np.sum(w * m)) ** 2))
    assert abs(A - 1e-3) < 2e-6  # xtol 1e-4 in σ moves A by ≤ 1e-8; quad epsabs 1e-13 on m ~ 0.03
    assert nf.crossing_sigma("tanh", 1.0, 4, 0.0, 0.0) is None  # without weight decay: never


def test_tanh_quadrature_converged():
    # the quoted tanh values do not depend on the quadrature size: 301 (default) vs 201 nodes differ by < 1e-5
    # relative (measured 4e-7 at σ = 5; convergence is geometric, so the 301-node error is smaller still)
    for sig in (1.0, 3.0, 5.0):
        assert_rel_close(nf.smoothed_variance("tanh", 1.0, sig, nodes=201), nf.smoothed_variance("tanh", 1.0, sig),
                         1e-5, reason="Gauss–Hermite of tanh (poles at ±iπ/2): 201 vs 301 nodes")


def test_collapse_counterexample_tanh_features():
    # ziyin.collapse-threshold with the source's own A0 := E φ(x̂)², C := Σ − A0 for φ = tanh, x̂ ~ N(0, 0.3), σ = 3,
    # N = 2, α = 0: the source's B = A0 − C/2 < 0 (collapse) but ℓ = u1 − u0 exactly, so L(w) = −Var_x̂(E_ε tanh)·w².
    # Second method: plain Monte Carlo of the actual two-point loss at w = 1 (independent code)
    B_src = nf.source_feature_B("tanh", 0.3, 3.0, 2, 0.0)
    A = nf.smoothed_variance("tanh", 0.3, 3.0)
    assert round(B_src, 3) == -0.079 and round(A, 4) == 0.0189  # the record's numbers, to their printed digits
    g = torch.Generator().manual_seed(5)
    n = 200_000
    xh, x1 = (math.sqrt(0.3) * torch.randn(n, generator=g, dtype=torch.float64) for _ in range(2))
    e, ep, e1 = (3.0 * torch.randn(n, generator=g, dtype=torch.float64) for _ in range(3))
    fx, fxp, fchi = torch.tanh(xh + e), torch.tanh(xh + ep), torch.tanh(x1 + e1)
    u0, u1 = -0.5 * (fx - fxp) ** 2, -0.5 * (fx - fchi) ** 2
    ell = (-u0 + torch.logsumexp(u1[:, None], -1)).numpy()  # N = 2, α = 0: one negative, no positive term
    m, se = float(ell.mean()), float(ell.std(ddof=1) / math.sqrt(n))
    assert abs(m - (-A)) <= Z * se and m + Z * se < 0  # W = 0 is a maximum along w, not a collapse


def test_weight_decay_threshold_mc_autograd():
    # ziyin.weight-decay, second method: autograd MC of the actual loss (φ = id) + γw² at a = 0 changes sign at the
    # derived γ* = (N−1)/K·a for two different σ (C does not enter); N = 4, α = 0.5, a = 1 ⇒ γ* = 6/7.  At ±30% of
    # γ* the curvature is ∓0.51, ≥ 5 SE from 0 with 1.2·10⁴ anchors (per-anchor SD ≈ 2(a + 2σ²) ≤ 6 at σ ≤ 1)
    thr = ex.collapse_gamma_threshold(1.0, 4, 0.5)
    assert_rel_close(thr, 3 / 3.5, 1e-12, reason=FLOAT)
    for sig, seed in ((0.0, 3), (1.0, 4)):
        lo, se_lo = nf.mc_curvature("identity", [[1.0]], 1.0, sig, 4, 0.5, 0.7 * thr, n=2_000, batches=6, seed=seed)
        hi, se_hi = nf.mc_curvature("identity", [[1.0]], 1.0, sig, 4, 0.5, 1.3 * thr, n=2_000, batches=6, seed=seed)
        assert lo + Z * se_lo < 0 < hi - Z * se_hi
        assert abs(lo - ex.curvature_at_origin([[1.0]], [[1.0]], [[sig**2]], 4, 0.5, 0.7 * thr)) <= Z * se_lo


def test_fixed_dataset_B_features_reduces_to_linear():
    # fixed data set: (N/K)Ĉov(m) with m = x̂ (φ = id) is the linear model's predicted_B_fixed_dataset
    X = np.random.default_rng(0).normal(size=(7, 3))
    assert_rel_close(nf.fixed_dataset_B(nf.smoothed("identity", X, 2.0), 0.3), ex.predicted_B_fixed_dataset(X, 0.3),
                     1e-12, reason=FLOAT + "; Gauss–Hermite weights sum to 1 exactly up to round-off", floor=1e-15)


@pytest.mark.parametrize("bad", [
    lambda: nf.smoothed_variance("sigmoid", 1.0, 1.0), lambda: nf.smoothed_variance("tanh", -1.0, 1.0),
    lambda: nf.curvature([[1.0, 0.0]], [[1.0]], 4, 0.0), lambda: nf.curvature([[1.0]], [[1.0]], 4, 0.0, -0.1),
    lambda: nf.erf_crossing(1.0, 1, 0.0, 0.1), lambda: nf.mc_curvature("tanh", [[1.0]], 1.0, 1.0, 4, 0.0, batches=1),
    lambda: nf.fixed_dataset_B(np.ones((1, 2)), 0.5), lambda: nf.source_feature_B("tanh", 1.0, 1.0, 3, 1.5),
])
def test_bad_input_raises(bad):
    with pytest.raises(ValueError):
        bad()
