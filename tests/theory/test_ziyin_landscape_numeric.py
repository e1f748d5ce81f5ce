"""Numeric helpers of the Ziyin landscape (theory/ziyin/landscape.py) on tiny hand-worked inputs: the round-off cuts
of enumerate_stationary / weights_from_gram, the mask rules of stationary_gram, the Hessian's default γ, κ, c, the
"H_basis_offdiag_distinct" field of thm1_form_residual, and the Levenberg–Marquardt loop of newton_stationary
(its stopping rule, strict-decrease acceptance, exact-Hessian quadratic rate and iteration budget)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sslverify.theory.ziyin import landscape as la

I1, I2 = np.eye(1), np.eye(2)


def masks(B, Sigma, d1):
    return [m for m, _ in la.enumerate_stationary(B, Sigma, d1)]


# ----------------------------------------------------------------------------- enumerate_stationary
@pytest.mark.parametrize("diag", [
    [1.0, 1.0],  # B̃ = I (d0 = 2): a repeated eigenvalue, the degenerate case the census cannot list
    [0.0, 1e-9],  # gap exactly at the cut 1e-9·max(1, 1e-9) = 1e-9: treated as a tie (≤)
    [10.0, 10.0 + 5e-9],  # the cut scales with max|λ|: 1e-9·10 = 1e-8 > gap 5e-9
])
def test_enumerate_rejects_repeated_eigenvalues(diag):
    """Σ = I, B diagonal: B̃ = B, so its eigenvalue gaps are the diagonal gaps; gaps ≤ 1e-9·max(1, max|λ|) are ties."""
    with pytest.raises(ValueError, match="distinct eigenvalues"):
        la.enumerate_stationary(np.diag(diag), I2, 1)


@pytest.mark.parametrize("diag, expected", [
    ([0.0, 1.5e-9], [(0, 0), (0, 1)]),  # one positive eigenvalue (the second): masks of rank 0 and 1
    ([10.0, 10.0 + 1.5e-8], [(0, 0), (1, 0), (0, 1)]),  # two positive eigenvalues, rank ≤ d1 = 1
])
def test_enumerate_accepts_gaps_above_the_cut(diag, expected):
    """Gaps just above the cut (1.5e-9 > 1e-9·1, 1.5e-8 > 1e-9·10) are distinct: all masks over the positive
    eigenvalues with at most d1 = 1 ones, in eigh order."""
    assert masks(np.diag(diag), I2, 1) == expected


def test_enumerate_skips_zero_eigenvalues():
    """B = diag(0, 1), Σ = I, d1 = 2: a zero eigenvalue is not selectable (b̃/2 = 0 would repeat the G of not
    selecting it), so the stationary points are exactly the masks over the positive eigenvalue: (0, 0), (0, 1)."""
    out = la.enumerate_stationary(np.diag([0.0, 1.0]), I2, 2)
    assert [m for m, _ in out] == [(0, 0), (0, 1)]
    # WᵀW = ½ diag(0, 1) at mask (0, 1); entries are square roots of exact halves (round-off only)
    np.testing.assert_allclose(out[1][1].T @ out[1][1], np.diag([0.0, 0.5]), atol=1e-15)


# ----------------------------------------------------------------------------- stationary_gram
def test_stationary_gram_allows_zero_eigenvalue_in_mask():
    """Rule (1) forbids only negative eigenvalues: B = diag(0, 1), Σ = I with mask (1, 1) gives G = ½ diag(0, 1)."""
    G = la.stationary_gram(np.diag([0.0, 1.0]), I2, [1, 1])
    np.testing.assert_allclose(G, np.diag([0.0, 0.5]), atol=1e-15)  # exact halves; round-off only


@pytest.mark.parametrize("mask", [[1, 0, 0], [1], [2, 0], [0.5, 1]])
def test_stationary_gram_rejects_bad_masks(mask):
    """A mask must be 0/1 AND of length d0 = 2: a wrong length or a non-0/1 entry is each enough to be rejected."""
    with pytest.raises(ValueError, match="mask must be a 0/1 vector of length 2"):
        la.stationary_gram(np.diag([1.0, 2.0]), I2, mask)


def test_stationary_gram_accepts_exact_mask_entries():
    """A mask of exact numbers (Fractions) is read as floats: B = diag(1, 2), Σ = I, mask (1, 0) gives the float64
    matrix G = ½ diag(1, 0)."""
    G = la.stationary_gram(np.diag([1.0, 2.0]), I2, [Fraction(1), Fraction(0)])
    assert G.dtype == np.float64
    np.testing.assert_allclose(G, np.diag([0.5, 0.0]), atol=1e-15)  # exact halves; round-off only


# ----------------------------------------------------------------------------- weights_from_gram
@pytest.mark.parametrize("diag, d1, expected", [
    ([-1e-9, 0.5], 1, [[0.0, np.sqrt(0.5)]]),  # min = −1e-9·max(1, 0.5) exactly: round-off, allowed (strict <)
    ([-2e-9, 4.0], 1, [[0.0, 2.0]]),  # cut scales with max g = 4: −2e-9 > −4e-9, allowed
    ([1e-12, 1.0], 1, [[0.0, 1.0]]),  # exactly at the zero cut 1e-12·max(1, 1): a round-off zero, so rank 1 ≤ d1
    ([5e-12, 10.0], 1, [[0.0, np.sqrt(10.0)]]),  # zero cut scales with max g: 5e-12 ≤ 1e-11 is a zero
    ([1.5e-12, 1.0], 2, [[0.0, 1.0], [np.sqrt(1.5e-12), 0.0]]),  # above the cut: kept as the second row
])
def test_weights_from_gram_round_off_cuts(diag, d1, expected):
    """G diagonal: W has rows √g_i e_i in decreasing g, round-off negatives / tiny eigenvalues are exact zeros."""
    W = la.weights_from_gram(np.diag(diag), d1)
    # rows are eigenvectors up to sign (eigh of a diagonal matrix); entries are exact square roots (round-off only)
    np.testing.assert_allclose(np.abs(W), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("diag, d1, match", [
    ([-1.5e-9, 1.0], 2, "positive semi-definite"),  # below −1e-9·max(1, 1)
    ([-1.5e-9, 0.5], 2, "positive semi-definite"),  # max g < 1: the cut stays at −1e-9
    ([-0.5, 1.0], 2, "positive semi-definite"),  # a genuinely negative eigenvalue
    ([1.5e-12, 1.0], 1, "rank at most"),  # 1.5e-12 > 1e-12·max(1, 1) is a real eigenvalue: rank 2 > d1 = 1
])
def test_weights_from_gram_rejects(diag, d1, match):
    """First illegal values next to the legal ones above: a negative eigenvalue past the round-off cut, or a rank
    above d1 once round-off zeros are removed."""
    with pytest.raises(ValueError, match=match):
        la.weights_from_gram(np.diag(diag), d1)


@pytest.mark.parametrize("Q", [np.array([[0.0, 1.0], [1.0, 0.0]]), [[Fraction(0), Fraction(1)], [Fraction(1), Fraction(0)]]])
def test_weights_from_gram_rotation(Q):
    """G = diag(4, 0), d1 = 2: W = ±2 e₁ in row 0; the swap Q moves it to row 1. Exact Q entries give float64."""
    W = la.weights_from_gram(np.diag([4.0, 0.0]), 2, Q)
    assert W.dtype == np.float64
    np.testing.assert_allclose(np.abs(W), [[0.0, 0.0], [2.0, 0.0]], atol=1e-15)  # √4 = 2 exactly; sign free


# ----------------------------------------------------------------------------- quartic_hessian defaults
@pytest.mark.parametrize("kw, expected", [
    ({}, 10.0),  # L = −w² + w⁴: L'' = −2 + 12w² = 10 at w = 1 (γ = κ = 0 by default)
    ({"gamma": 1.0}, 12.0),  # + γw²: + 2γ
    ({"kappa": 1.0}, 18.0),  # + κ(w² − 1)²: + κ(12w² − 4) = + 8 (default c = 1)
    ({"kappa": 1.0, "c": 2.0}, 14.0),  # + κ(12w² − 4c) = + 4
])
def test_quartic_hessian_defaults_by_hand(kw, expected):
    """d0 = d1 = 1, B = 1, Σ = 1, w = 1: the 1×1 Hessian is L'' computed by hand; defaults γ = 0, κ = 0, c = 1."""
    assert la.quartic_hessian([[1.0]], [[1.0]], [[1.0]], **kw).tolist() == [[expected]]  # small integers: exact


# ----------------------------------------------------------------------------- thm1_form_residual
@pytest.mark.parametrize("W, diag, off", [
    ([[2.0, 1.0]], [1.0, 2.0], 2.0),  # H = [[4, 2], [2, 1]], λ distinct: off-diagonal 2 (the diagonal 4 is not counted)
    ([[0.5, 0.25]], [1.0, 2.0], 0.125),  # H = [[¼, ⅛], [⅛, 1/16]]: a small off-diagonal is reported as is
    ([[1.0, 1.0]], [1.0, 1.0], 0.0),  # B̃ = I: every pair is degenerate, nothing counted
    ([[1.0, 1.0]], [0.0, 1e-6], 0.0),  # gap exactly 1e-6: still degenerate (strict >)
    ([[1.0, 1.0]], [0.0, 2e-6], 1.0),  # gap 2e-6 > 1e-6: distinct, H₀₁ = 1 counted
])
def test_form_residual_offdiag_over_distinct_pairs(W, diag, off):
    """Σ = I, B diagonal (B̃ = B, eigenbasis e₁, e₂ up to sign): H = WᵀW, and the field is max |H_ij| over pairs
    with |λ_i − λ_j| > 1e-6 (0 if none); hand-computed products of halves/quarters, exact in float64."""
    r = la.thm1_form_residual(np.array(W), np.diag(diag), I2)
    assert r["H_basis_offdiag_distinct"] == off


def test_form_residual_all_fields_by_hand():
    """W = (2, 1), B = diag(1, 2), Σ = I: H = [[4, 2], [2, 1]], [H, B] = [[0, 2], [−2, 0]] (max 2), eig H = {0, 5} at
    distance {0, 4} from {0, ½, 1}; exact in float64 up to eigvalsh round-off (tolerance 1e-12 on O(1) values)."""
    r = la.thm1_form_residual(np.array([[2.0, 1.0]]), np.diag([1.0, 2.0]), I2)
    assert set(r) == {"commutator", "eig_distance", "H_basis_offdiag_distinct"}
    assert r["commutator"] == pytest.approx(2.0, abs=1e-12)
    assert r["eig_distance"] == pytest.approx(4.0, abs=1e-12)
    assert r["H_basis_offdiag_distinct"] == pytest.approx(2.0, abs=1e-12)


# ----------------------------------------------------------------------------- newton_stationary
ZERO, ONE = np.zeros((1, 1)), np.ones((1, 1))


def test_newton_keeps_a_stationary_start():
    """d = 1, B = 0, Σ = 1, κ = 1, c = 2: ∇L = 4w³ + 4κ(w² − c)w = 0 exactly at w = 1, so the start is returned
    unchanged with max|∇L| = 0 (it is −4 under the default c = 1: the gradient must use the given c)."""
    W, g = la.newton_stationary([[1.0]], ZERO, ONE, kappa=1.0, c=2.0)
    assert W.tolist() == [[1.0]] and g == 0.0
    W, g = la.newton_stationary([[1.0]], ZERO, ONE, kappa=1.0, c=2.0, iters=0)
    assert W.tolist() == [[1.0]] and g == 0.0


def test_newton_integer_start_gives_float_weights():
    """W0 = 0 (an int array) is stationary (∇L = −2WB + ... = 0): returned at once, as a float64 copy."""
    W0 = np.zeros((1, 2), dtype=int)
    W, g = la.newton_stationary(W0, np.diag([1.0, 2.0]), I2)
    assert g == 0.0 and W.dtype == np.float64 and W.tolist() == [[0.0, 0.0]] and W is not W0


def test_newton_default_target_c_is_one():
    """κ = 1, default c = 1, B = 0, Σ = 1: ∇L = 8w³ − 4w, stationary at 0, ±1/√2; from w = 2 Newton reaches 1/√2
    (under c = 2 the root would be w = 1)."""
    W, g = la.newton_stationary([[2.0]], ZERO, ONE, kappa=1.0)
    assert g < 1e-10  # converged (gtol 1e-11 of O(1) entries)
    assert W[0, 0] == pytest.approx(1 / np.sqrt(2), abs=1e-10)  # root error ≈ g / L'' = g / 8, round-off


def test_newton_quadratic_rate_with_exact_hessian():
    """κ = 1, c = 2, B = 0, Σ = 1: ∇L = 8w(w² − 1), root w = 1 with L'' = 16. From w = 2, Newton with the exact Hessian
    has error ≈ 1e-6 after 5 steps, squared to round-off after 7; a Hessian off by a constant (e.g. of c = 1:
    L'' = 20 at the root) converges only linearly, ratio 1 − 16/20 = 0.2, still ≈ 1e-4 after 7 steps."""
    W, _ = la.newton_stationary([[2.0]], ZERO, ONE, kappa=1.0, c=2.0, iters=7)
    assert abs(W[0, 0] - 1.0) < 1e-12  # quadratic convergence: (1e-6)² ≈ 1e-12 at step 6, round-off at step 7


def test_newton_gtol_is_strict():
    """L = w⁴ (B = 0, Σ = 1): max|∇L| = 4 at w = 1. With gtol = 4 the start is not yet converged (stop only when
    max|∇L| < gtol), so one LM step is taken and the gradient drops below 4."""
    W, g = la.newton_stationary([[1.0]], ZERO, ONE, iters=1, gtol=4.0)
    assert W[0, 0] < 1.0 and g < 4.0


def test_newton_breaks_the_exact_two_cycle():
    """B = 10·2²⁰, Σ = 1, w0 = 2¹⁰: ∇L = 4w³ − 2bw = −2³⁴ and L'' = 12w² − 2b = −2²³, so the Newton step is exactly
    −2w0 and lands on −w0, where |∇L| is the same (∇L is odd); every number here is a power of two times a small
    integer, exact in float64. Accepting only strict decreases makes LM damp the step and escape the cycle, ending at
    a stationary point 0 or ±√(b/2)."""
    b = 10.0 * 2 ** 20
    W, g = la.newton_stationary([[1024.0]], [[b]], ONE)
    assert g < 1e-11 * b  # converged relative to the scale b of ∇L's terms (round-off of 1e7-sized products)
    w = W[0, 0]
    assert min(abs(w), abs(abs(w) - np.sqrt(b / 2))) < 1e-9 * np.sqrt(b)  # stationary points by hand; round-off


def test_newton_default_iteration_budget_is_200():
    """L = w⁴ has a degenerate minimum at 0: LM creeps (w ≈ 1.3e-5 after 200 steps) and with gtol = 0 never stops, so
    the result depends on the iteration count: the default must equal iters = 200 exactly, and differ from 201."""
    W, g = la.newton_stationary([[1.0]], ZERO, ONE, gtol=0.0)
    W200, g200 = la.newton_stationary([[1.0]], ZERO, ONE, iters=200, gtol=0.0)
    assert W.tolist() == W200.tolist() and g == g200
    W201, g201 = la.newton_stationary([[1.0]], ZERO, ONE, iters=201, gtol=0.0)
    assert 0 < W201[0, 0] < W[0, 0] and g201 < g  # each accepted step decreases |∇L| strictly
