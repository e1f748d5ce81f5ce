"""Ziyin landscape helpers (theory/ziyin/landscape.py) on tiny hand-worked inputs: the loss's default target c,
the O(d1) orbit dimension and the round-off thresholds of symmetry_dim / classify_stationary / descent_direction,
the whitened count m in the global-minimum value, and the fields of the commuting counterexample."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import landscape as la

I2 = np.eye(2)


# ----------------------------------------------------------------------------- quartic_loss
def test_quartic_loss_default_target_is_one():
    """d0 = d1 = 1, B = 0, Σ = 1, w = 1, κ = 1: L = w⁴ + κ(w² − c)² = 1 + 0 when c takes its default 1 (eq. 5, c = 1)."""
    assert la.quartic_loss([[1.0]], [[0.0]], [[1.0]], kappa=1.0) == 1.0  # exact in float64
    assert la.quartic_loss([[1.0]], [[0.0]], [[1.0]], kappa=1.0, c=2.0) == 2.0  # 1 + (1 − 2)²


# ----------------------------------------------------------------------------- symmetry_dim
@pytest.mark.parametrize("W, dim", [
    # orbit of a nonzero vector of R³ under O(3) is the sphere S²: tangent dimension 2 (not 3 = dim so(3))
    (np.ones((3, 1)), 2),
    # rank r of d1 = 3 rows: dim = 3 − (3 − r)(2 − r)/2, r = 2 → 3, r = 1 → 2
    (np.array([[10.0, 0.0], [0.0, 1e-7], [0.0, 0.0]]), 3),
    # an entry 1e-9 next to 10 is below the relative round-off floor 1e-9·max|W| = 1e-8: rank 1 → 2
    (np.array([[10.0, 0.0], [0.0, 1e-9], [0.0, 0.0]]), 2),
    # d1 = 2, W = (t, 0)ᵀ: one singular value t; counted iff t > 1e-9·max(1, t) = 1e-9
    (np.array([[1.5e-9], [0.0]]), 1),
    (np.array([[1e-9], [0.0]]), 0),  # exactly at the floor: round-off, not counted (strict >)
])
def test_symmetry_dim_orbit_dimension(W, dim):
    """dim{AW : A skew} = d1(d1−1)/2 − (d1−r)(d1−r−1)/2 for rank r, with singular values ≤ 1e-9·max(1, |W|) as 0."""
    assert la.symmetry_dim(W) == dim


@pytest.mark.parametrize("W", [sp.Matrix([[1], [1], [1]]), [[Fraction(1)], [Fraction(1)], [Fraction(1)]]])
def test_symmetry_dim_accepts_exact_entries(W):
    """Exact weights (a SymPy matrix, as commuting_counterexample returns, or Fractions) are read as numbers: the
    orbit of (1, 1, 1)ᵀ under O(3) is S², dimension 2."""
    assert la.symmetry_dim(W) == 2


# ----------------------------------------------------------------------------- classify_stationary
@pytest.mark.parametrize("c, kind", [(None, "min"), (1.0, "min"), (2.0, "saddle")])
def test_classify_origin_with_normalization(c, kind):
    """d0 = d1 = 1, Σ = 1, B = −3, κ = 1: L = 3w² + w⁴ + (w² − c)², L''(0) = 6 − 4c: a minimum at c = 1 (default),
    a saddle at c = 2 (W = 0 is always stationary; d1 = 1 has no orbit directions)."""
    kw = {} if c is None else {"c": c}
    assert la.classify_stationary(np.zeros((1, 1)), [[-3.0]], [[1.0]], kappa=1.0, **kw) == kind


@pytest.mark.parametrize("b, kind", [
    # at W = 0 with κ = γ = 0 the Hessian is −2B (d1 = 1); tol = 1e-8·max(1, max|eig|)
    ((-50.0, 5e-8), "degenerate"),  # eigenvalues (100, −1e-7): −1e-7 is within tol = 1e-6 of a scale-100 Hessian
    ((-0.5, 0.75e-8), "saddle"),  # (1, −1.5e-8): below −tol = −1e-8
    ((-0.5, 0.5e-8), "degenerate"),  # (1, −1e-8): exactly −tol, still a round-off zero
    ((-0.5, -0.5e-8), "degenerate"),  # (1, +1e-8): exactly tol, a round-off zero, not a curvature
    ((-0.5, 0.0), "degenerate"),  # (1, 0): a flat direction that is not an orbit direction
    ((-0.5, -0.25), "min"),  # (1, 0.5): positive definite
])
def test_classify_uses_relative_round_off_tolerance(b, kind):
    """'min' / 'saddle' / 'degenerate' from the Hessian −2B at W = 0, rtol 1e-8 relative to its largest eigenvalue."""
    assert la.classify_stationary(np.zeros((1, 2)), np.diag(b), I2) == kind


# ----------------------------------------------------------------------------- global_min_value
def test_global_min_value_counts_m_after_whitening():
    """B = diag(1, 1e-13), Σ = diag(1, 1e-14): B̃ = diag(1, 10). m = 2 (Sylvester), so at d1 = 2 the minimum is
    −(1² + 10²)/4 = −25.25. B's own eigenvalue 1e-13 is below B's round-off floor, but after whitening it is 10."""
    B, S = np.diag([1.0, 1e-13]), np.diag([1.0, 1e-14])
    assert la.predicted_rank(B, S, 2) == 2
    assert la.global_min_value(B, S, 2) == pytest.approx(-25.25, rel=1e-12)  # float64 round-off of the whitening


# ----------------------------------------------------------------------------- descent_direction
def test_no_descent_at_full_rank_stationary_point():
    """d0 = 1, d1 = 2, B = 2, Σ = 1: W = (1, 0)ᵀ has WᵀW = 1 = b/2 (stationary) and rank 1 = min(m, d*): no direction."""
    assert la.descent_direction(np.array([[1.0], [0.0]]), [[2.0]], [[1.0]]) is None


def test_no_descent_without_output_units():
    """d1 = 0 (W is 0×2): d* = 0, so rank 0 = min(m, d*) and there is no row for q: no direction, not an error."""
    assert la.descent_direction(np.zeros((0, 2)), np.diag([1.0, 2.0]), I2) is None


def test_descent_from_origin_is_the_top_direction():
    """W = 0 (d1 = 1), B = diag(1, 2), Σ = I: q = ±1, e = e₂ with the largest b̃ = 2 (steepest drop −ε²b̃)."""
    D, b = la.descent_direction(np.zeros((1, 2)), np.diag([1.0, 2.0]), I2)
    assert b == 2.0  # eigenvalue of a diagonal matrix: exact
    assert np.allclose(np.abs(D), [[0.0, 1.0]], atol=1e-15)  # unit vectors up to sign; round-off only


def test_descent_round_off_thresholds():
    """tol = 1e-9: a singular value s ≤ tol·max(1, s_max) and ‖Ve‖ ≤ tol·max(1, ‖V‖) are zeros, b̃ must exceed tol."""
    # W = 1e-9 at B = 1 is the origin up to round-off: descent along e = 1 with b̃ = 1
    D, b = la.descent_direction([[1e-9]], [[1.0]], [[1.0]])
    assert b == 1.0 and abs(D[0, 0]) == 1.0
    # b̃ = 1e-9 itself is a round-off zero: no positive direction at W = 0
    assert la.descent_direction([[0.0]], [[1e-9]], [[1.0]]) is None
    # rank-1 stationary point diag(10, 0) of B = diag(200, 2) with a round-off entry 1e-9 (relative 1e-10):
    # still rank 1 < min(m, d*) = 2, descent along q = e = e₂ with b̃ = 2
    D, b = la.descent_direction(np.diag([10.0, 1e-9]), np.diag([200.0, 2.0]), I2)
    assert b == 2.0 and np.allclose(np.abs(D), [[0.0, 0.0], [0.0, 1.0]], atol=1e-15)  # unit vectors up to sign


def test_descent_respects_an_entry_above_round_off():
    """W = 1.5e-9·e₁e₁ᵀ (3×2) is above the floor 1e-9: col V = e₁ and Ve₁ ≠ 0. So q ⊥ e₁ and the direction is
    e = e₂ (b̃ = 1), not e₁ (b̃ = 2). B = diag(2, 1), Σ = I."""
    W = np.zeros((3, 2))
    W[0, 0] = 1.5e-9
    D, b = la.descent_direction(W, np.diag([2.0, 1.0]), I2)
    assert b == 1.0
    assert np.all(D[0] == 0.0) and np.all(D[:, 0] == 0.0)  # q ⊥ e₁ exactly, e = e₂ exactly (SVD of a 1-entry matrix)
    assert np.linalg.norm(D) == pytest.approx(1.0, rel=1e-15)  # |q| = |e| = 1; round-off


# ----------------------------------------------------------------------------- commuting_counterexample
def test_commuting_counterexample_fields():
    """Σ = B = diag(1, 2) and W = vᵀΣ^{-1/2}/√2 = (1/2, √2/4) for v = (1, 1)/√2, as the docstring states."""
    ce = la.commuting_counterexample()
    assert ce["Sigma"] == sp.diag(1, 2) and ce["B"] == sp.diag(1, 2)
    assert sp.simplify(ce["W"] - sp.Matrix([[sp.Rational(1, 2), sp.sqrt(2) / 4]])) == sp.zeros(1, 2)
