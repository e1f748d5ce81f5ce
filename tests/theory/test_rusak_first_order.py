"""Second method for rusak.lemma5 / lemma7 / prop2 / prop3 / temperature-sign: the first-order expected gradient of
eq. 4 derived by SymPy from the loss itself (no sampling, no autograd), evaluated in exact rationals."""
from __future__ import annotations

import sympy as sp

from sslverify.theory.rusak import first_order


def test_first_order_flow_symbolic():
    # d = 2, N = 3 (M = 2), symbolic W, S = Σ_x, C = Σ_x~, μ, τ: −E ∂L/∂W = M T⁻¹W(2S − C) (full),
    # M T⁻¹W(S − C) (detached), never the source's (M + 1) W(S − C); μ drops out (exact polynomial identities)
    r = first_order.first_order_residuals(2, 3)
    assert r["M"] == 2
    for key in ("full", "detached"):
        assert r[key]["residual_zero"] and r[key]["mu_free"]
        assert not r[key]["source_eq5_residual_zero"]


def test_first_order_flow_is_not_trivially_zero():
    # the derived flow is a nonzero matrix (guards the residual test against an expression that is identically 0)
    g = first_order.expected_first_order_gradient(2, 3, False)["neg_grad"]
    assert any(sp.expand(v) != 0 for v in g)


def test_first_order_rates_exact():
    # lemma 7 / prop. 2 counterexample in exact rationals: A = diag(1, 2, 2), d_c = 1, σ_c = 0, σ_s² = 1/25
    skew = first_order.first_order_rates([[1, 0, 0], [0, 2, 0], [0, 0, 2]], 1, 0, sp.Rational(1, 25))
    assert skew["rates_exact"] == ["1/6", "38/75", "38/75"]  # style 38/75 = 0.507 > content 1/6
    # two large singular values (0.253, 0.253) above the content one (1/6): the count is 2 ≠ d_c = 1
    assert [str(sp.nsimplify(v)) for v in skew["singular_values"]] == ["19/75", "19/75", "1/6"]
    # eq. 15's matrix A diag(σ_z² − σ_k²) Aᵀ: style eigenvalue 0.173 > content 0.083 (the proof's own definition)
    assert [str(sp.nsimplify(v)) for v in skew["eq15_eigenvalues"]] == ["13/75", "13/75", "1/12"]
    orth = first_order.first_order_rates([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1, 0, sp.Rational(1, 25))
    assert orth["rates_exact"] == ["1/6", "19/150", "19/150"]  # content faster for orthogonal A


def test_equalizing_tau_symbolic():
    # prop. 3: with τ dividing the similarity the derived rate of latent k is λ_k/τ_k (T⁻¹ in the symbolic flow):
    # equal growth at τ_c = λ_c/λ_s = 197/125 = 1.576 for σ_c = 0.05, σ_s = 0.25 (full gradient)
    assert first_order.first_order_residuals(2, 3)["full"]["residual_zero"]
    t_full = first_order.equalizing_tau_c(sp.Rational(1, 400), sp.Rational(1, 16))
    assert t_full == sp.Rational(197, 125)
    t_det = first_order.equalizing_tau_c(sp.Rational(1, 400), sp.Rational(1, 16), "detached")
    assert t_det == sp.Rational(97, 25)  # 3.88 with the source's own (detached) eq. 5
    heuristic = sp.Rational(1, 5)  # σ_c/σ_s
    assert t_full / heuristic > 7 and t_det / heuristic > 19
    assert (1 / t_full) / heuristic > 3  # τ multiplying the similarity: 0.63 vs 0.2
    # σ_c → 0: the heuristic → 0 but the equalizer → 2σ_z²/(2σ_z² − σ_s²) = 1.6: not a constant factor
    assert first_order.equalizing_tau_c(0, sp.Rational(1, 16)) == sp.Rational(8, 5)


def test_bad_inputs():
    import pytest

    with pytest.raises(ValueError, match="N >= 2"):
        first_order.expected_first_order_gradient(2, 1)
    with pytest.raises(ValueError, match="invertible"):
        first_order.first_order_rates([[1, 0], [0, 0]], 1, 0, 0.04)
    with pytest.raises(ValueError, match="convention"):
        first_order.equalizing_tau_c(0.01, 0.04, "both")
