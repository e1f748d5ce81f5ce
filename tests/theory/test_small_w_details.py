"""theory/small_w.py: the edges of ``small_w_expansion``'s input checks (order 0, non-finite W entries, the error
naming the shared Gaussian variable), each on a one-variable loss whose expansion is known by hand."""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.small_w import small_w_expansion

w = sp.Symbol("w", real=True)
z = sp.Symbol("z", real=True)


def _square(Wt):
    return (Wt[0, 0] * z) ** 2 + 3


def test_order_zero_is_the_value_at_W_zero():
    """order = 0 is legal (the smallest one): only c₀ = E ℓ(0) = 3 for ℓ = (wz)² + 3; order = −1 is not."""
    assert small_w_expansion(_square, sp.Matrix([[w]]), [z], sp.Matrix([[2]]), order=0) == {0: 3}
    # order 1: c₁ = E[∂_t (twz)²]_{t=0} = 0; order 2 adds c₂ = w² Var z = 2w²
    assert small_w_expansion(_square, sp.Matrix([[w]]), [z], sp.Matrix([[2]]), order=2) == {0: 3, 1: 0, 2: 2 * w**2}
    with pytest.raises(ValueError, match=r"order must be an integer >= 0, got -1"):
        small_w_expansion(_square, sp.Matrix([[w]]), [z], sp.Matrix([[2]]), order=-1)


@pytest.mark.parametrize("bad", [sp.nan, sp.zoo, sp.oo, -sp.oo, sp.oo * w, 1 - sp.oo * w])
def test_non_finite_W_is_named(bad):
    """NaN, complex infinity and ±∞ (alone or inside an expression) in W are rejected as non-finite W, before the loss
    is evaluated."""
    with pytest.raises(ValueError, match=r"^W must be finite"):
        small_w_expansion(_square, sp.Matrix([[w, bad]]), [z], sp.Matrix([[1]]), order=2)


def test_shared_variable_is_named():
    """A W that contains a Gaussian variable is rejected and the error lists which one (here z, not the other)."""
    y = sp.Symbol("y", real=True)
    with pytest.raises(ValueError, match=r"W must not contain the Gaussian variables .*got \['z'\]$"):
        small_w_expansion(lambda Wt: (Wt[0, 0] * z) ** 2, sp.Matrix([[w * z]]), [y, z], sp.eye(2), order=2)
