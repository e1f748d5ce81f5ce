"""Mutation-hardening tests for theory/found/em_predictor.py, theory/ziyin/{landscape,normalization,
nonlinear_features}.py and theory/lastlayer/linear.py: each test checks a function against an independent
derivation (closed form, brute force, a second method) at a small size.  Functions are called through their
module (``nf.mc_curvature``), so that a patched module attribute is what runs."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sslverify.theory.ziyin.nonlinear_features as nf

#: z-score for Monte Carlo comparisons: |mean − exact| ≤ Z·SE fails by chance with probability < 1e-4 per check
Z = 4.0


# ----------------------------------------------------------------------------- nonlinear_features.mc_curvature
def _relu_cross(s2, rho):
    """E relu(u) relu(v) for (u, v) centred Gaussian, variances s2, correlation rho (arc-cosine kernel, Cho & Saul)."""
    th = math.acos(rho)
    return s2 / (2 * math.pi) * (math.sin(th) + (math.pi - th) * math.cos(th))


def _erf_cross(s2, c):
    """E erf(u) erf(v) for centred Gaussian u, v with variances s2 and covariance c: (2/π) arcsin(2c/(1 + 2 s2))."""
    return 2 / math.pi * math.asin(2 * c / (1 + 2 * s2))


def _exact_curvature(cross, a, sigma, N, alpha, gamma):
    """d²/dt² at t = 0 of E[−u0 + lse(u_j, u0 + log α)] + γt², u = −t²/2 (φ − φ')², d0 = 1, W = 1.

    At t = 0 every logit is 0, so d² lse = softmax-weighted mean of d²u (weights 1 per negative, α for the
    positive): curvature = E(φx − φx')² − [(N−1)E(φx − φχ)² + αE(φx − φx')²]/(N − 1 + α) + 2γ.
    x = x̂ + ε, x' = x̂ + ε' (covariance a), χ independent; all of variance s² = a + σ²; E(φu − φv)² =
    2E φ² − 2E φuφv (φ has the same law on each side)."""
    s2 = a + sigma**2
    pos = 2 * cross(s2, s2) - 2 * cross(s2, a)
    neg = 2 * cross(s2, s2) - 2 * cross(s2, 0.0)
    return pos - ((N - 1) * neg + alpha * pos) / (N - 1 + alpha) + 2 * gamma


def test_mc_curvature_matches_closed_form_relu_erf():
    # a = 1, σ = 1, N = 4, α = 0.5, γ = 0.1: 4 batches of 1500 anchors; the closed form uses the Gaussian
    # moments of relu (arc-cosine kernel) and erf (arcsin kernel), independent of the autograd estimator
    for phi, cross in (("relu", lambda s2, c: _relu_cross(s2, c / s2)), ("erf", _erf_cross)):
        exact = _exact_curvature(cross, 1.0, 1.0, 4, 0.5, 0.1)
        m, se = nf.mc_curvature(phi, [[1.0]], 1.0, 1.0, 4, 0.5, 0.1, n=1500, batches=4, seed=5)
        assert abs(m - exact) <= Z * se, (phi, m, se, exact)
        assert se < 0.1  # per-anchor SD ≈ 1 here: SE ≈ 1/√6000 ≈ 0.013; 0.1 rules out a broken error estimate


def test_mc_curvature_default_gamma_is_zero():
    # γ defaults to 0 (no weight decay): identity φ, closed form 2σ² − [(N−1)·2(a+σ²) + α·2σ²]/(N−1+α) for
    # W = 1, times ‖W‖²_F = 0.25 + 2.25 for W = (0.5, 1.5)ᵀ (f = Wφ(x), d0 = 1: every squared distance scales so)
    exact = 2.5 * _exact_curvature(lambda s2, c: c, 1.0, 0.5, 3, 1.0, 0.0)
    m, se = nf.mc_curvature("identity", [[0.5], [1.5]], 1.0, 0.5, 3, 1.0, n=1500, batches=3, seed=2)
    assert abs(m - exact) <= Z * se, (m, se, exact)


def test_mc_curvature_seeded_and_standard_error():
    # the estimate is a function of the seed (reproducible), and (mean, SE) are the mean and the standard error
    # (sample SD with ddof = 1, / √batches) of independent batch values.  The generator is consumed batch by
    # batch, so batches = 2 and batches = 3 share their first two batch values v1, v2: from (m2, se2) they
    # are m2 ± se2 (SE of two values = |v1 − v2|/2), and v3 = 3 m3 − 2 m2.
    args = ("identity", [[1.0, 0.5]], 1.0, 0.7, 3, 0.0, 0.0)
    m2, se2 = nf.mc_curvature(*args, n=300, batches=2, seed=11)
    assert (m2, se2) == nf.mc_curvature(*args, n=300, batches=2, seed=11)
    m3, se3 = nf.mc_curvature(*args, n=300, batches=3, seed=11)
    v = np.array([m2 - se2, m2 + se2, 3 * m3 - 2 * m2])
    assert se2 > 0
    assert math.isclose(m3, v.mean(), rel_tol=1e-12, abs_tol=1e-12)  # float64 round-off of 3-term means
    assert math.isclose(se3, v.std(ddof=1) / math.sqrt(3), rel_tol=1e-9)  # round-off, amplified by v3 = 3m3 − 2m2


def test_mc_curvature_degenerate_data_is_weight_decay_only():
    # a = σ = 0: every input is 0, every logit is 0 for all t, so the loss is log(N − 1 + α) + γt²‖W‖²_F and the
    # curvature is exactly 2γ‖W‖²_F = 2·0.1·1 = 0.2 in every batch (SE 0); float64 autograd of a quadratic
    m, se = nf.mc_curvature("tanh", [[1.0]], 0.0, 0.0, 3, 0.5, 0.1, n=50, batches=2, seed=0)
    assert math.isclose(m, 0.2, rel_tol=1e-14) and se == 0.0  # float64 round-off of 2·0.1 only (float32: 1.5e-8)


# ----------------------------------------------------------------------------- landscape.commuting_counterexample
def test_commuting_counterexample_forms_are_the_four_eigenspace_masks():
    # Σ = diag(1, 2), B = Σ: B_M keeps a subset of B's eigenvalues (1 on e₁, 2 on e₂), so the candidate forms
    # ½Σ⁻¹B_MΣ⁻¹ are exactly diag(m₁/2, m₂/4), m ∈ {0, 1}² — four distinct diagonal matrices (exact rationals)
    import sympy as sp

    import sslverify.theory.ziyin.landscape as la

    forms = la.commuting_counterexample()["commuting_forms"]
    half, quarter = sp.Rational(1, 2), sp.Rational(1, 4)
    expected = {(m1 * half, m2 * quarter) for m1 in (0, 1) for m2 in (0, 1)}
    assert len(forms) == 4
    assert all(F.is_diagonal() for F in forms)
    assert {(F[0, 0], F[1, 1]) for F in forms} == expected
