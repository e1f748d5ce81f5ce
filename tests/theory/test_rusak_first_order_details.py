"""theory/rusak/first_order.py: the smallest cases of the exact first-order flow (d = 1, N = 2), the symbols the
result is stated in, the moment substitution on hand-made polynomials, and exact rational inputs.

The symbolic functions are cached (lru_cache); the tests call ``__wrapped__`` so each test computes afresh."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from sslverify.theory.rusak import first_order


def _documented_symbols(d: int):
    """W₀, S = Σ_x, C = Σ_x~ (symmetric, real), τ (positive), μ (real): the names the module documents."""
    W0 = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"W{a}{b}", real=True))
    sym = lambda n: sp.Matrix(d, d, lambda a, b: sp.Symbol(f"{n}{min(a, b)}{max(a, b)}", real=True))  # noqa: E731
    tau = [sp.Symbol(f"tau{k}", positive=True) for k in range(d)]
    mu = sp.Matrix(d, 1, lambda a, _: sp.Symbol(f"mu{a}", real=True))
    return W0, sym("S"), sym("C"), tau, mu


@pytest.mark.parametrize("detach", [None, False, True])
def test_smallest_batch_flow_in_documented_symbols(detach):
    """d = 1, N = 2 (one anchor and one negative, M = 1): −E ∂L/∂W = M W₀(2S − C)/τ (full gradient, the default)
    or M W₀(S − C)/τ (detached), stated in the documented real / positive symbols W00, S00, C00, tau0, mu0.

    Hand check for d = 1, N = 2: ℓ_i ≈ log 2 + (a_i − b_i)/2 to first order, E a_i = W²C/(2τ), E b_ij = W²·2S/(2τ)
    (full: both z_i and z_j move) or the W-derivative of E b_ij at V = W is W·S/τ (detached): summing the two
    anchors gives the closed forms above."""
    g = (first_order.expected_first_order_gradient.__wrapped__(1, 2) if detach is None
         else first_order.expected_first_order_gradient.__wrapped__(1, 2, detach))
    W0, S, C, tau, mu = _documented_symbols(1)
    want = W0 * ((S if detach else 2 * S) - C) / tau[0]  # M = 1
    assert g["M"] == 1
    assert sp.expand(g["neg_grad"][0, 0] - want[0, 0]) == 0
    assert g["W0"] == W0 and g["S"] == S and g["C"] == C and g["tau"] == tau and g["mu"] == mu


def test_sizes_are_validated():
    """d ≥ 1 and N ≥ 2 are the smallest legal sizes (tested above); d = 0 and N = 1 raise, and the message names
    the defaults d = 2, N = 3 (the case the module docstring states) for the argument that was not given."""
    with pytest.raises(ValueError, match=r"d >= 1 .*got d=0, N=3"):
        first_order.expected_first_order_gradient.__wrapped__(0)
    with pytest.raises(ValueError, match=r"N >= 2.*got d=2, N=1"):
        first_order.expected_first_order_gradient.__wrapped__(N=1)


def test_residuals_smallest_case():
    """d = 1, N = 2: both derived flows match their closed forms, neither matches eq. 5's (M + 1)W(S − C)
    (M = 1: 2W(S − C) ≠ W(2S − C), W(S − C)), μ drops out; the report names d, N and M = N − 1."""
    r = first_order.first_order_residuals.__wrapped__(1, 2)
    assert (r["d"], r["N"], r["M"]) == (1, 2, 1)
    for key in ("full", "detached"):
        assert r[key] == {"residual_zero": True, "source_eq5_residual_zero": False, "mu_free": True}


def test_residuals_default_size(monkeypatch):
    """The default residual check is the module docstring's d = 2, N = 3 (M = 2).  The flow itself is replaced by
    the d = 1, N = 2 one (cheap), so only the reported size is read here."""
    small = {det: first_order.expected_first_order_gradient.__wrapped__(1, 2, det) for det in (False, True)}
    seen = []
    monkeypatch.setattr(first_order, "expected_first_order_gradient",
                        lambda d, N, det: seen.append((d, N, det)) or small[det])
    r = first_order.first_order_residuals.__wrapped__()
    assert (r["d"], r["N"], r["M"]) == (2, 3, 2) and seen == [(2, 3, False), (2, 3, True)]


def test_expectation_by_moments():
    """E of a degree-≤2 polynomial in iid u_i ~ (0, S), e_i ~ (0, C): constants stay, single factors vanish,
    E u_ia u_ib = S_ab, E e_ia e_ib = C_ab, products across samples or across u/e vanish."""
    d = 2
    u = [first_order._vec(f"u{i}_", d) for i in range(2)]
    e = [first_order._vec(f"e{i}_", d) for i in range(2)]
    S, C = first_order._sym_matrix("S", d), first_order._sym_matrix("C", d)
    data = [s for v in u + e for s in v]
    expr = (3 + 5 * u[0][0] + 2 * u[0][0] * u[0][1] + 7 * e[1][1] ** 2 - e[0][0] * e[0][1]
            + u[0][0] * u[1][0] + u[1][1] * e[1][1])
    want = 3 + 2 * S[0, 1] + 7 * C[1, 1] - C[0, 1]
    assert sp.expand(first_order._expect(expr, u, e, S, C, data) - want) == 0
    assert first_order._expect(sp.Integer(4) + 0 * u[0][0], u, e, S, C, data) == 4  # a constant alone
    with pytest.raises(ValueError, match="degree <= 2"):
        first_order._expect(u[0][0] ** 2 * e[0][0], u, e, S, C, data)  # degree 3 is outside the helper's domain


def test_exact_fractions_stay_exact():
    """Exact inputs are not rounded: σ_c² = 1/10⁷ (a Fraction) gives τ_c = (2/12 − 10⁻⁷)/(2/12 − 1/16)
    = 4999997/3125000 exactly (rounding σ_c² to a denominator ≤ 10⁶ would give 8/5)."""
    got = first_order.equalizing_tau_c(Fraction(1, 10**7), Fraction(1, 16))
    assert got == (sp.Rational(1, 6) - sp.Rational(1, 10**7)) / (sp.Rational(1, 6) - sp.Rational(1, 16))
    assert got == sp.Rational(4999997, 3125000)
