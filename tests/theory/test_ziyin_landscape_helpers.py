"""Input checks and small helpers of the Ziyin landscape (theory/ziyin/landscape.py) on tiny hand-worked inputs: the
symmetry / shape validation of check_symmetric and of W, the orthonormality and eigenvector tolerances of a given
eigenbasis, the ranges of random_problem, the real symbols of sym_matrix, and the default target c = 1 of the loss and
gradient (numeric and symbolic)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import landscape as la

I2 = np.eye(2)


# ----------------------------------------------------------------------------- check_symmetric
@pytest.mark.parametrize("M", [
    [[0.0, 1e-12], [0.0, 0.0]],            # asymmetry 1e-12 = atol exactly (|M.T| = 0 there): round-off, accepted
    [[1e6, 1e6 + 1e-5], [1e6, 1e6]],      # asymmetry ≈ 1e-5 ≤ 1e-12 + 1e-10·1e6 = 1e-4: relative round-off, accepted
    [[1.0, 1.0 + 5e-11], [1.0, 1.0]],     # asymmetry 5e-11 ≤ 1e-12 + 1e-10·1
])
def test_check_symmetric_accepts_round_off(M):
    """|M − Mᵀ| ≤ 1e-12 + 1e-10·|Mᵀ| entrywise is float round-off: accepted and returned symmetrised, (M + Mᵀ)/2."""
    M = np.array(M)
    out = la.check_symmetric("B", M)
    np.testing.assert_array_equal(out, (M + M.T) / 2)


@pytest.mark.parametrize("M", [
    [[0.0, 1e-9], [0.0, 0.0]],            # 1e-9 > atol 1e-12 where |Mᵀ| = 0 (a looser atol 1e-8 would accept it)
    [[1.0, 1.0 + 1e-7], [1.0, 1.0]],      # 1e-7 > 1e-12 + 1e-10·1 (a looser rtol 1e-5 would accept it)
    [[1.0, 1.5], [1.0, 1.0]],             # a genuinely asymmetric matrix
])
def test_check_symmetric_rejects_asymmetry(M):
    """Asymmetry beyond the round-off tolerance (1e-12 absolute, 1e-10 relative) raises, naming the matrix."""
    with pytest.raises(ValueError, match="B must be symmetric"):
        la.check_symmetric("B", M)


@pytest.mark.parametrize("M", [
    [1.0, 2.0],                            # 1-d
    [[1.0, 1.0, 1.0]],                     # 1 × 3: equal to its transpose after broadcasting, still not square
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],    # 2 × 3
    [[[1.0]]],                             # 3-d
])
def test_check_symmetric_rejects_non_square(M):
    """Only 2-d square arrays are matrices here: anything else raises ValueError naming the matrix and its shape."""
    with pytest.raises(ValueError, match=r"Sigma must be a square matrix, got shape"):
        la.check_symmetric("Sigma", M)


def test_check_symmetric_coerces_exact_entries():
    """Fraction / int entries are read as float64 (½ and 1 are exact), so the checks and the result are float64."""
    out = la.check_symmetric("B", [[Fraction(1), Fraction(1, 2)], [Fraction(1, 2), Fraction(1)]], pd=True)
    assert out.dtype == np.float64 and out.tolist() == [[1.0, 0.5], [0.5, 1.0]]
    out = la.check_symmetric("B", [[2, 1], [1, 2]])
    assert out.dtype == np.float64 and out.tolist() == [[2.0, 1.0], [1.0, 2.0]]


# ----------------------------------------------------------------------------- W shape / dtype
@pytest.mark.parametrize("W", [np.ones((1, 3)), np.ones(2), np.ones((1, 1, 2))])
def test_weights_must_be_d1_by_d0(W):
    """B, Σ are 2 × 2, so W must be a 2-d array with 2 columns: a wrong width, a 1-d or a 3-d array is rejected."""
    with pytest.raises(ValueError, match=r"W must have shape \(d1, 2\)"):
        la.quartic_grad(W, I2, I2)


def test_gradient_of_exact_weights_is_float64():
    """d0 = d1 = 1, B = Σ = 1, W = 1 given as a Fraction: ∇L = −2w + 4w³ = 2, returned as a float64 array."""
    g = la.quartic_grad([[Fraction(1)]], [[1.0]], [[1.0]])
    assert g.dtype == np.float64 and g.tolist() == [[2.0]]


# ----------------------------------------------------------------------------- loss / gradient default c
def test_quartic_grad_default_target_is_one():
    """d = 1, B = 0, Σ = 1, κ = 1, w = 1: ∇L = 4w³ + 4κ(w² − c)w = 4 + 4(1 − c), i.e. 4 at the default c = 1
    (and 0 at c = 2); small integers, exact in float64."""
    assert la.quartic_grad([[1.0]], [[0.0]], [[1.0]], kappa=1.0).tolist() == [[4.0]]
    assert la.quartic_grad([[1.0]], [[0.0]], [[1.0]], kappa=1.0, c=2.0).tolist() == [[0.0]]


def test_symbolic_loss_and_gradient_default_target_is_one():
    """1 × 1 symbolic w, B = 0, Σ = 1, κ = 1, default c: L = w⁴ + (w² − 1)² and ∇L = 4w³ + 4(w² − 1)w by hand."""
    w = sp.Symbol("w", real=True)
    W, B, S = sp.Matrix([[w]]), sp.Matrix([[0]]), sp.Matrix([[1]])
    assert sp.expand(la.loss_sym(W, B, S, kappa=1) - (w ** 4 + (w ** 2 - 1) ** 2)) == 0
    assert sp.expand(la.grad_formula_sym(W, B, S, kappa=1)[0, 0] - (4 * w ** 3 + 4 * (w ** 2 - 1) * w)) == 0


# ----------------------------------------------------------------------------- eigenbasis
H = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)  # orthonormal to round-off (1e-16)


def test_eigenbasis_given_integer_basis_is_float64():
    """B̃ = diag(1, 2), U = the swap (an exact integer eigenbasis): λ = (2, 1) and U come back as float64."""
    lam, U = la.eigenbasis(np.diag([1.0, 2.0]), np.array([[0, 1], [1, 0]]))
    assert U.dtype == np.float64 and U.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert lam.tolist() == [2.0, 1.0]


@pytest.mark.parametrize("U", [
    np.diag([1.0 + 1e-7, 1.0]),            # UᵀU − I = 2e-7 on the diagonal > atol 1e-10 (no relative slack)
    np.array([[1.0, 1e-9], [0.0, 1.0]]),   # UᵀU − I = 1e-9 off the diagonal > 1e-10
    np.diag([2.0, 1.0]),                   # right shape, orthogonal columns, not unit length
    np.eye(3),                             # orthonormal, wrong shape for a 2 × 2 B̃
    np.eye(1),
])
def test_eigenbasis_rejects_non_orthogonal_basis(U):
    """U must be orthogonal to float64 round-off (|UᵀU − I| ≤ 1e-10 absolute) AND of B̃'s shape: either failure alone is
    reported as such (before any eigenvector check)."""
    with pytest.raises(ValueError, match="U must be an orthogonal matrix of the shape of B"):
        la.eigenbasis(np.diag([1.0, 2.0]), U)


def test_eigenbasis_accepts_round_off_orthogonality():
    """|UᵀU − I| = 5e-11 ≤ 1e-10: round-off; U = [[1, 5e-11], [0, 1]] is accepted as an eigenbasis of B̃ = diag(1, 2)
    (its eigenvector residual 5e-11 is below 1e-9): λ_j = u_jᵀB̃u_j = (1, 2) up to 1e-20 terms."""
    lam, _ = la.eigenbasis(np.diag([1.0, 2.0]), np.array([[1.0, 5e-11], [0.0, 1.0]]))
    np.testing.assert_allclose(lam, [1.0, 2.0], rtol=0, atol=1e-15)  # exact up to (5e-11)² and round-off


@pytest.mark.parametrize("scale, delta", [
    (1.0, 2e-9),    # residual δ/(2√2) ≈ 7.1e-10 ≤ 1e-9·max(1, 1 + δ)
    (10.0, 1e-10),  # residual 10δ/(2√2) ≈ 3.5e-10 ≤ 1e-9·max(1, 10) = 1e-8: the cut grows with max|B̃|
])
def test_eigenbasis_accepts_round_off_residual(scale, delta):
    """B̃ = scale·diag(1, 1 + δ), U = the Hadamard basis (1, ±1)/√2: λ_j = scale(1 + δ/2), B̃U − UΛ has entries
    ±scale·δ/(2√2) (by hand). Below the round-off cut 1e-9·max(1, max|B̃|) the basis is accepted."""
    lam, _ = la.eigenbasis(scale * np.diag([1.0, 1.0 + delta]), H)
    np.testing.assert_allclose(lam, [scale * (1 + delta / 2)] * 2, rtol=1e-15)  # round-off of a 2-term sum


@pytest.mark.parametrize("delta", [4e-9, 1e-8, 1e-6])
def test_eigenbasis_rejects_non_eigenvectors(delta):
    """As above at scale 1: residual δ/(2√2) ≈ 1.4e-9, 3.5e-9, 3.5e-7 exceeds the cut 1e-9·max(1, 1 + δ) ≈ 1e-9 with no
    relative slack (|UΛ| ≈ 0.7 there), so the Hadamard basis is not an eigenbasis of diag(1, 1 + δ)."""
    with pytest.raises(ValueError, match="U must be an eigenbasis"):
        la.eigenbasis(np.diag([1.0, 1.0 + delta]), H)


# ----------------------------------------------------------------------------- random_problem
@pytest.mark.parametrize("d0", [0, -1, 1.5])
def test_random_problem_rejects_bad_dimension(d0):
    """d0 must be a positive integer: 0, −1 and 1.5 raise naming d0."""
    with pytest.raises(ValueError, match="d0 must be a positive integer"):
        la.random_problem(np.random.default_rng(0), d0)


def test_random_problem_smallest_dimension():
    """d0 = 1 is legal: 1 × 1 B and Σ ≥ 0.3 (A Aᵀ/d0 + 0.3), and with commuting Σ ∈ [0.5, 2]."""
    B, S = la.random_problem(np.random.default_rng(0), 1)
    assert B.shape == S.shape == (1, 1) and S[0, 0] >= 0.3
    B, S = la.random_problem(np.random.default_rng(0), 1, commuting=True)
    assert B.shape == S.shape == (1, 1) and 0.5 <= S[0, 0] <= 2.0


def test_random_problem_commuting_spectrum():
    """commuting: B = QΛQᵀ, Σ = QDQᵀ with D ~ U(0.5, 2) (docstring). 40 draws: all in [0.5, 2] up to the round-off of
    QDQᵀ (1e-12), and spread over the range (P(no draw below 1 or above 1.5) = (2/3)⁴⁰ + (1/3)⁴⁰ ≈ 1e-7 each); B and Σ
    commute to round-off."""
    B, S = la.random_problem(np.random.default_rng(0), 40, commuting=True)
    s = np.linalg.eigvalsh(S)
    assert s.min() >= 0.5 - 1e-12 and s.max() <= 2.0 + 1e-12
    assert s.min() < 1.0 and s.max() > 1.5
    assert np.abs(B @ S - S @ B).max() < 1e-12  # O(1) entries, 40-term sums: round-off


# ----------------------------------------------------------------------------- sym_matrix
def test_sym_matrix_entries_are_real_symbols():
    """symmetric: entry (i, j) is the real symbol name{min}{max}; otherwise name{i}{j}, real. Equal to independently
    created real symbols (SymPy symbols with other assumptions are different objects)."""
    s00, s01, s11 = sp.symbols("s00 s01 s11", real=True)
    assert la.sym_matrix("s", 2) == sp.Matrix([[s00, s01], [s01, s11]])
    x00, x01, x10, x11 = sp.symbols("x00 x01 x10 x11", real=True)
    assert la.sym_matrix("x", 2, symmetric=False) == sp.Matrix([[x00, x01], [x10, x11]])
    assert all(e.is_real is True for e in la.sym_matrix("x", 2, symmetric=False))
    assert all(e.is_real is True for e in la.sym_matrix("s", 2))
