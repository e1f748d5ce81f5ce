"""Rodrigues' formula for Gegenbauer / Chebyshev polynomials behind ``uniformity.gegenbauer_rodrigues``: the exact
constants r_ℓ, the edge cases of its arguments, and that each of its three checks (r_ℓ constant, sign of r_ℓ,
vanishing boundary terms) can fail on its own when fed a wrong polynomial or a wrong derivative.

Independent reference for r_ℓ (DLMF 18.5.5 / Table 18.5.1): for ν > 0
    (1−t²)^{ν−½} C_ℓ^ν(t) = r_ℓ (d/dt)^ℓ (1−t²)^{ℓ+ν−½},  r_ℓ = (−1)^ℓ Γ(ν+½)Γ(ℓ+2ν) / (2^ℓ ℓ! Γ(2ν)Γ(ℓ+ν+½)),
and for Chebyshev T_ℓ (d = 2, ν = 0) r_ℓ = (−1)^ℓ √π / (2^ℓ Γ(ℓ+½)) = (−1)^ℓ / (2ℓ−1)!!.
"""
from __future__ import annotations

import pytest
import sympy as sp
import numpy as np
from scipy import special

from sslverify.theory.found import uniformity

T = sp.Symbol("t")  # the variable the report's "r" strings are written in


def _r_dlmf(d: int, ell: int) -> sp.Expr:
    """r_ℓ from DLMF 18.5.5 (Gegenbauer, ν = (d−2)/2 > 0) or the Chebyshev Rodrigues formula (d = 2)."""
    if d == 2:
        return sp.Integer(-1) ** ell * sp.sqrt(sp.pi) / (2**ell * sp.gamma(sp.Rational(2 * ell + 1, 2)))
    nu = sp.Rational(d - 2, 2)
    return sp.nsimplify(sp.Integer(-1) ** ell * sp.gamma(nu + sp.Rational(1, 2)) * sp.gamma(ell + 2 * nu)
                        / (2**ell * sp.factorial(ell) * sp.gamma(2 * nu) * sp.gamma(ell + nu + sp.Rational(1, 2))))


class _SympyExcept:
    """The sympy namespace with some functions replaced; installed as ``uniformity.sp`` for one uncached call."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(sp, name)


def _uncached(d: int, lmax: int) -> dict:
    # __wrapped__ skips the lru_cache, so a call with replaced sympy functions neither reads nor stores a cached result
    return uniformity.gegenbauer_rodrigues.__wrapped__(d, lmax)


# ----------------------------------------------------------------------------- exact constants
@pytest.mark.parametrize("d, lmax", [(2, 3), (5, 2)])
def test_rodrigues_constants_match_dlmf(d, lmax):
    """r_ℓ reported for T_ℓ (d = 2) and C_ℓ^{3/2} (d = 5) equals the DLMF Rodrigues constant, sign (−1)^ℓ."""
    res = uniformity.gegenbauer_rodrigues(d, lmax)
    assert [sp.Rational(row["r"]) for row in res["rows"]] == [_r_dlmf(d, ell) for ell in range(lmax + 1)]
    assert res["all_positive"]


# ----------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("d", [2, 3])
def test_rodrigues_lmax_zero_is_legal(d):
    """lmax = 0 is the smallest legal degree: one row, C_0 = 1 = Rodrigues with no derivative, so r_0 = 1."""
    res = uniformity.gegenbauer_rodrigues(d, 0)
    assert res["rows"] == [{"l": 0, "r": "1", "r_is_constant": True, "sign_ok": True, "boundary_terms_vanish": True}]
    assert res["all_positive"] and res["lmax"] == 0


@pytest.mark.parametrize("lmax", [-1, 2.5])
def test_rodrigues_lmax_below_zero_or_not_int_raises(lmax):
    """lmax = −1 (first illegal value) and a non-int lmax (2.5: no cached int key equals it) raise ValueError naming lmax."""
    with pytest.raises(ValueError, match="lmax must be an int >= 0"):
        uniformity.gegenbauer_rodrigues(3, lmax)


@pytest.mark.parametrize("fn", [uniformity.gegenbauer_closed_form, uniformity.uniform_sphere_energy])
def test_sphere_dimension_must_be_int(fn):
    """d = 3.0 (a float, even an integral one) is rejected with ValueError naming d; d = 2 (smallest legal) works."""
    args = (0,) if fn is uniformity.gegenbauer_closed_form else ()
    with pytest.raises(ValueError, match="d must be an int >= 2"):
        fn(3.0, *args)
    # d = 2, ℓ = 0, s = 4: both are I₀(4) (times π for the projection); float64 round-off of one Bessel evaluation
    assert abs(fn(2, *args) / (special.iv(0, 4.0) * (np.pi if args else 1.0)) - 1) < 1e-14


# ----------------------------------------------------------------------------- each check can fail
def _wrong_gegenbauer(factor):
    return lambda ell, nu, t: factor(t) * sp.gegenbauer(ell, nu, t)


@pytest.mark.parametrize("factor, r_const, sign", [
    (lambda t: -1, True, False),   # −C_ℓ: r = −r_ℓ is a constant of the wrong sign (−1)^{ℓ+1}
    (lambda t: 0, True, False),    # 0: r = 0 is constant but (−1)^ℓ·0 > 0 fails
], ids=["negated", "zero"])
def test_rodrigues_rejects_polynomial_of_wrong_sign(monkeypatch, factor, r_const, sign):
    """Fed −C_ℓ^ν or 0 instead of C_ℓ^ν (d = 3, Legendre), r = −r_ℓ or 0: constant, but not of sign (−1)^ℓ."""
    monkeypatch.setattr(uniformity, "sp", _SympyExcept(gegenbauer=_wrong_gegenbauer(factor)))
    res = _uncached(3, 2)
    for ell, row in enumerate(res["rows"]):
        assert sp.Rational(row["r"]) == factor(T) * _r_dlmf(3, ell)
        assert (row["r_is_constant"], row["sign_ok"], row["boundary_terms_vanish"]) == (r_const, sign, True)
    assert res["all_positive"] is False


def test_rodrigues_rejects_polynomial_not_proportional(monkeypatch):
    """Fed (1+t)C_ℓ^ν (d = 3): r = r_ℓ(1+t) is not constant, reported in t; sign_ok is False, not evaluated."""
    monkeypatch.setattr(uniformity, "sp", _SympyExcept(gegenbauer=_wrong_gegenbauer(lambda t: 1 + t)))
    res = _uncached(3, 2)
    for ell, row in enumerate(res["rows"]):
        assert sp.expand(sp.sympify(row["r"], locals={"t": T}) - (1 + T) * _r_dlmf(3, ell)) == 0
        assert (row["r_is_constant"], row["sign_ok"], row["boundary_terms_vanish"]) == (False, False, True)
    assert res["all_positive"] is False


def test_rodrigues_boundary_check_rejects_wrong_derivative(monkeypatch):
    """A derivative off by a factor 1/(1−t²) makes (d/dt)g_2 = −2t(1−t²)^{−1} (d = 3, e = 2), not (1−t²)^1·polynomial:
    the ℓ = 2 boundary term is flagged; ℓ = 0, 1 have no differentiated boundary term (k = 0 only)."""
    def bad_diff(expr, *syms):
        t = syms[0] if syms else next(iter(expr.free_symbols))
        return sp.diff(expr, *syms) / (1 - t**2)

    monkeypatch.setattr(uniformity, "sp", _SympyExcept(diff=bad_diff))
    res = _uncached(3, 2)
    assert [row["boundary_terms_vanish"] for row in res["rows"]] == [True, True, False]
    assert res["all_positive"] is False


def test_float_dimension_is_rejected_even_after_the_int_one_is_cached():
    """The argument check must not depend on call order: d = 3.0 is rejected (ValueError naming d) also after
    d = 3's result is memoised (3.0 == 3 share an untyped cache key)."""
    uniformity.gegenbauer_rodrigues(3, 1)
    with pytest.raises(ValueError, match="d must be an int >= 2"):
        uniformity.gegenbauer_rodrigues(3.0, 1)
    with pytest.raises(ValueError, match="lmax must be an int >= 0"):
        uniformity.gegenbauer_rodrigues(3, 1.0)
