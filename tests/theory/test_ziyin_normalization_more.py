"""More checks of theory/ziyin/normalization.py: degenerate inputs of the Prop 3 counterexample, the exact eq. 37
residual, the admissibility round-off allowance of ``stationary_normalized``, float64 evaluation of the Prop 5 /
eq. 8 helpers, the source's eq. 14 form and the source-model VICReg threshold's dependence on c.

Expected values are worked by hand (closed forms in the docstrings) or computed with exact fractions."""
from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import normalization as no


# ----------------------------------------------------------------------------- Prop 3 counterexample, edge parameters
def test_prop3_counterexample_without_penalty():
    """κ = 0 (no regulariser; legal, κ ≥ 0): ρ = (1/8 + 0)/(1 + 0) = 1/8 for any c, also c = 1/8 where c − ρ = 0;
    W is stationary for −Tr[WBWᵀ] + Tr[(WΣWᵀ)²] and G = ρ·[[½, ½/√2], [½/√2, ¼]] is not diagonal."""
    ce = no.prop3_counterexample(kappa=0, c=sp.Rational(1, 8))
    assert ce["rho"] == sp.Rational(1, 8) and ce["rho_W"] == sp.Rational(1, 8)
    assert ce["grad"] == sp.zeros(1, 2) and ce["matches_any_form"] is False
    assert sp.simplify(ce["G"][0, 1] - sp.Rational(1, 8) * sp.sqrt(2) / 4) == 0


def test_prop3_counterexample_zero_rho_matches_empty_mask():
    """κc = −1/8 makes ρ = (1/8 + κc)/(1 + κ) = 0: W = 0, G = 0, and B' = Σ/4 + 2κcΣ = 0, so every form
    ½Σ⁻¹B'_MΣ⁻¹ is the 2×2 zero matrix and G matches one (the degenerate case where eq. 39 does hold)."""
    ce = no.prop3_counterexample(kappa=1, c=sp.Rational(-1, 8))
    assert ce["rho"] == 0 and ce["G"] == sp.zeros(2, 2) and ce["grad"] == sp.zeros(1, 2)
    assert ce["matches_any_form"] is True


# ----------------------------------------------------------------------------- eq. 37 residual, exact
def test_eq37_residual_closed_form():
    """eq. 37 writes dρ/dW = 4ρWΣ; the true derivative is 2WΣ (Σ symmetric), so the residual 4ρWΣ − dρ/dW is
    (4ρ − 2)WΣ entry by entry, in the real symbols w_ij and the symmetric Σ = sym_matrix("s", 2)."""
    W = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    S = la.sym_matrix("s", 2)
    rho = (W * S * W.T).trace()
    hand = [sp.expand(x) for x in (4 * rho - 2) * (W * S)]
    got = no.prop3_symbolic()["eq37_minus_true"]
    assert len(got) == 4 and all(sp.expand(g - h) == 0 for g, h in zip(got, hand))


# ----------------------------------------------------------------------------- stationary_normalized admissibility
def _diag_point(lam, mask, kappa=0.0, c=1.0):
    """Σ = I, B = diag(lam) (ascending): B̃ = B exactly, so the eigenvalues are lam exactly (float64)."""
    return no.stationary_normalized(np.diag(lam), np.eye(len(lam)), mask, kappa, c)


@pytest.mark.parametrize("lam", [(0.0, 0.5), (-1e-12, 0.5), (-1e-12, 5.0)])
def test_round_off_allowance_accepts_boundary(lam):
    """κ = 0: shifted eigenvalues are λ itself and ρ = ½Σ_M λ.  The allowance is −1e-12·max(1, max|λ|): a masked
    λ = 0, or exactly −1e-12 with max|λ| ≤ 1, or −1e-12 ≥ −5e-12 when max|λ| = 5, is accepted with
    G = diag(½λ_1, 0), ρ = ½λ_1 (|ρ − ½λ_1| ≤ 1e-15: round-off of c ± 5e-13 at c = 1)."""
    G, rho = _diag_point(np.array(lam), np.array([True, False]))
    assert np.array_equal(G, np.diag([0.5 * lam[0], 0.0]))
    assert abs(rho - 0.5 * lam[0]) <= 1e-15


@pytest.mark.parametrize("lam", [(-1.5e-12, 0.5), (-1.5e-12, 1.0), (-6e-12, 5.0)])
def test_round_off_allowance_rejects_beyond(lam):
    """Just beyond −1e-12·max(1, max|λ|) (max|λ| = 0.5, 1 → −1e-12; 5 → −5e-12) the mask is not admissible."""
    with pytest.raises(ValueError, match="mask must select only non-negative"):
        _diag_point(np.array(lam), np.array([True, False]))


def test_integer_mask_is_a_mask():
    """A 0/1 integer mask means the same as the boolean one: B = diag(0.2, 0.6), Σ = I, κ = c = 1, M = {2}:
    ρ = 1 − (1 − 0.3)/2 = 0.65, shifted λ_2 = 0.6 + 2·0.35 = 1.3, G = diag(0, 0.65) (1e-15: float64 round-off)."""
    G, rho = no.stationary_normalized(np.diag([0.2, 0.6]), np.eye(2), [0, 1], 1.0, 1.0)
    assert rho == pytest.approx(0.65, rel=1e-15, abs=0)
    np.testing.assert_allclose(G, np.diag([0.0, 0.65]), rtol=0, atol=1e-15)


# ----------------------------------------------------------------------------- float64 evaluation of Prop 5 / eq. 8
_LAM32 = np.array([1.0, 1e-8], dtype=np.float32)  # in float32, 1 + 1e-8 rounds to 1


def test_prop5_rho_float32_input_in_float64():
    """ρ = c − (c − ½Σλ)/(1 + κd_M) from exact fractions of the float32 λ (κ = ½, c = 0.3, d_M = 2): float64
    round-off only (rel 1e-14); float32 summation would lose the 1e-8 (error ~2.5e-9)."""
    s = sum(Fr(float(x)) for x in _LAM32)
    want = Fr(0.3) - (Fr(0.3) - s / 2) / (1 + Fr(1, 2) * 2)
    assert no.prop5_rho(_LAM32, 0.5, 0.3) == pytest.approx(float(want), rel=1e-14, abs=0)


def test_limit_eigenvalues_float32_input_in_float64():
    """½(λ_i + (2c − Σλ)/d_M) from exact fractions of the float32 λ (c = 0.3): float64 result, round-off only
    (rel 1e-14); float32 arithmetic would be off by ~1e-8 relative."""
    s = sum(Fr(float(x)) for x in _LAM32)
    want = [float((Fr(float(x)) + (2 * Fr(0.3) - s) / 2) / 2) for x in _LAM32]
    got = no.limit_eigenvalues(_LAM32, 0.3)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


# ----------------------------------------------------------------------------- eq. 14 as the source writes it
def test_eq14_source_form():
    """The source's eq. 14 uses λ̄ = (d_M − 1 + ε)/d_M (ε not divided by s = a_1 + c_1):
    ε/s + 2/d_M − (d_M − 1 + ε)/d_M = (d_M ε/s + 3 − d_M − ε)/d_M."""
    eps, s = sp.symbols("epsilon s", positive=True)
    d = sp.Symbol("d_M", positive=True, integer=True)
    got = no.eq9_14_symbolic()["eq14_source"]
    assert sp.simplify(got - (d * eps / s + 3 - d - eps) / d) == 0


# ----------------------------------------------------------------------------- VICReg, source model
@pytest.mark.parametrize("c", [1.0, 2.0, 0.5])
def test_vicreg_source_model_threshold_scales_as_one_over_c(c):
    """B = −A0 model: threshold λ_min(Σ^{-1/2}A0Σ^{-1/2})/(2c); A0 = diag(3, 5), Σ = diag(1, 4) gives λ_min = 5/4,
    so 5/(8c) (rel 1e-15: float64 round-off of one eigvalsh and one division)."""
    got = no.vicreg_source_model_threshold(np.diag([3.0, 5.0]), np.diag([1.0, 4.0]), c)
    assert got == pytest.approx(5 / (8 * c), rel=1e-15)
