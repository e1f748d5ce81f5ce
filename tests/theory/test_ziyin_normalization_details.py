"""Details of theory/ziyin/normalization.py: the symbolic results in the problem's own (real / positive) symbols,
float64 evaluation of the numeric helpers for float32 inputs, and the VICReg hinge validation boundary.

Expected values are worked by hand (closed forms below) or computed with exact fractions from the float32 inputs."""
from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import normalization as no


def _exact(x) -> Fr:
    """The exact rational value of a float (float32 values are exactly representable in float64)."""
    return Fr(float(x))


# ----------------------------------------------------------------------------- symbolic results, real symbols
def test_prop5_solution_in_real_parameters():
    """Prop 5: solving ρ = S_M/2 + κd_M(c − ρ) by hand gives c − ρ = (c − S_M/2)/(1 + κd_M), in the real
    parameters S_M, κ, c, d_M (the derived expression must be that function of those symbols)."""
    derived, source = no.prop5_derivation()
    SM, kap, c, dM = sp.symbols("S_M kappa c d_M", real=True)
    hand = (c - SM / 2) / (1 + kap * dM)
    assert sp.simplify(derived - hand) == 0
    assert sp.simplify(source - hand) == 0


def test_norm_limit_entries_closed_form():
    """κ → ∞ limit for Σ = diag(s), B = diag(b), mask {1, 2}: H's eigenvalues ½(λ_i + (2c − λ_1 − λ_2)/2),
    λ_i = b_i/s_i, so G_ii = h_i/s_i = (b_1 s_2 − b_2 s_1 + 2c s_1 s_2)/(4 s_1² s_2) (and 1 ↔ 2), G_33 = 0,
    in positive s_i, c and real b_i."""
    s1, s2, s3 = sp.symbols("s1:4", positive=True)
    b1, b2, b3 = sp.symbols("b1:4", real=True)
    c = sp.Symbol("c", positive=True)
    hand = sp.diag((b1 * s2 - b2 * s1 + 2 * c * s1 * s2) / (4 * s1**2 * s2),
                   (b2 * s1 - b1 * s2 + 2 * c * s1 * s2) / (4 * s1 * s2**2), 0)
    lim = no.norm_limit_symbolic()["limit"]
    assert sp.simplify(lim - hand) == sp.zeros(3, 3)


def test_thm4_loss_is_the_stated_scalar_loss():
    """Thm 4 counterexample: d0 = d1 = 1, Σ = 1, B = 4, κ = c = 1 gives L(w, b) = −4w² + w⁴ + (w² + b² − 1)²
    in the real variables w, b."""
    w, b = sp.symbols("w b", real=True)
    L = no.thm4_scalar_counterexample()["L"]
    assert sp.expand(L - (-4 * w**2 + w**4 + (w**2 + b**2 - 1) ** 2)) == 0


def test_one_sided_penalty_slope():
    """d/dt κ(u + t)² = 2κ(u + t) (κ, u, t ≥ 0), and the penalty below c is κ·0² = 0."""
    kap, u, t = sp.symbols("kappa u t", nonnegative=True)
    pen = no.one_sided_penalty()
    assert sp.expand(pen["above_slope"] - 2 * kap * (u + t)) == 0
    assert pen["below_value"] == 0 and pen["above_slope_nonneg"] is True


# ----------------------------------------------------------------------------- float64 evaluation
def test_eq8_condition_decided_in_float64():
    """λ = (1, 1), c = 1e-9: λ_i + 2c/d_M − mean = 1e-9 > 0 exactly, so both directions satisfy eq. 8, also when
    λ arrives as float32 (in float32, 1 + 1e-9 rounds to 1 and the strict inequality would fail)."""
    lam = np.array([1.0, 1.0], dtype=np.float32)
    assert no.eq8_condition(lam, 1e-9).tolist() == [True, True]
    assert no.eq8_condition(lam, 1e-9, n_total=2).tolist() == [True, True]


def test_vicreg_B_default_weight_and_float64():
    """B = −2λC: the default invariance weight is λ = 1 (B = −2C exactly), and a float32 C gives the float64
    product (exact fraction of −2·0.1·C to float64 round-off, 1e-15; float32 arithmetic would be off by ~1e-8)."""
    C = np.array([[0.3, 0.1], [0.1, 0.7]])
    assert np.array_equal(no.vicreg_B(C), -2 * C)
    C32 = np.array([[0.3, 0.1], [0.1, 0.7]], dtype=np.float32)
    got = no.vicreg_B(C32, 0.1)
    want = np.array([[float(-2 * _exact(0.1) * _exact(v)) for v in row] for row in C32])
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)  # two float64 roundings


def _hinge_expected(C, S, lam, mu, d1, eps):
    """Eigenvalues of the diagonal 2λC − μ/(d1√ε)Σ from exact fractions (√ε = 3/10 for ε = 0.09 below)."""
    k = Fr(mu) / (d1 * Fr(3, 10))
    return sorted(float(2 * _exact(lam) * _exact(c) - k * _exact(s)) for c, s in zip(np.diag(C), np.diag(S)))


@pytest.mark.parametrize("d1", [1, 3])
def test_vicreg_hinge_origin_matrix_values(d1):
    """W² term of VICReg with its hinge: eigenvalues of 2λC − (μ/(d1√ε))Σ; diagonal C, Σ (float32, as a model
    would give them), λ = 0.1, μ = 1, ε = 0.09, for the smallest legal d1 = 1 and for d1 = 3.  Tolerance 1e-14:
    float64 round-off of three products (float32 arithmetic would be off by ~1e-8)."""
    C = np.diag([0.3, 0.7]).astype(np.float32)
    S = np.diag([1.1, 0.9]).astype(np.float32)
    got = no.vicreg_hinge_origin_matrix(C, S, 0.1, 1.0, d1, 0.09)
    np.testing.assert_allclose(got, _hinge_expected(C, S, 0.1, 1.0, d1, 0.09), rtol=1e-14, atol=0)


def test_vicreg_hinge_d1_boundary():
    """d1 must be a positive integer: d1 = 1 works (above), d1 = 0 raises ValueError naming d1."""
    with pytest.raises(ValueError, match="d1"):
        no.vicreg_hinge_origin_matrix(np.eye(2), np.eye(2), 1.0, 1.0, 0, 0.09)


# scalar instance for the Thm 4 loss / gradient: d0 = d1 = 1, float32 entries, κ = 1/2, c = 1.1
_W, _b, _B, _S = (np.array(v, dtype=np.float32) for v in ([[0.7]], [0.6], [[0.9]], [[1.3]]))
_KAPPA, _C = 0.5, 1.1


def _bias_exact():
    """L = −w²B + (w²s)² + κ(w²s + β² − c)², ∂_w L = −2wB + 4w³s² + 4κ t w s, ∂_b L = 4κ t β with t = w²s + β² − c,
    in exact fractions of the float32 inputs."""
    w, beta, B, s = (_exact(x.ravel()[0]) for x in (_W, _b, _B, _S))
    k, c = _exact(_KAPPA), _exact(_C)
    t = w * w * s + beta * beta - c
    L = -w * w * B + (w * w * s) ** 2 + k * t * t
    return float(L), float(-2 * w * B + 4 * w**3 * s**2 + 4 * k * t * w * s), float(4 * k * t * beta)


def test_bias_loss_float32_inputs_in_float64():
    """Thm 4 loss at float32 inputs equals the exact value to float64 round-off (relative 1e-13: a few float64
    operations with a cancellation factor ~20; float32 arithmetic of ‖b‖² would be off by ~1e-7)."""
    L, _, _ = _bias_exact()
    assert no.bias_loss(_W, _b, _B, _S, _KAPPA, _C) == pytest.approx(L, rel=1e-13)


def test_bias_grad_float32_inputs_in_float64():
    """Thm 4 gradient at float32 inputs equals the exact (∂_W, ∂_b) to float64 round-off (relative 1e-13)."""
    _, gw, gb = _bias_exact()
    GW, Gb = no.bias_grad(_W, _b, _B, _S, _KAPPA, _C)
    assert GW.dtype == np.float64 and Gb.dtype == np.float64
    assert GW[0, 0] == pytest.approx(gw, rel=1e-13) and Gb[0] == pytest.approx(gb, rel=1e-13)
