"""More checks of sslverify.theory.found.batchnorm (input validation of ``as_defined``, its directional-derivative check)."""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.found import batchnorm


def test_as_defined_smallest_legal_batch_is_two():
    """N = 2 is the smallest batch with a non-zero batch variance: it must work and give all checks True."""
    r = batchnorm.as_defined(2)
    assert r["variance_residual"] == "0"
    assert r["jacobian_kills_ones"] and r["jacobian_kills_centred"] and r["eps_product_is_gamma_eps_over_root3"]


@pytest.mark.parametrize("n", [1, 0])
def test_as_defined_rejects_batch_below_two(n):
    """A batch of one has v = 0 and no BN output variance: batch sizes below 2 raise naming batch_size."""
    with pytest.raises(ValueError, match="batch_size"):
        batchnorm.as_defined(n)


Z3 = sp.symbols("z1:4", real=True)


@pytest.mark.parametrize("w, vanishes", [
    ([1, 1, 1], True),                      # shift: μ moves, the deviations do not
    ([-(x - sum(Z3) / 3) for x in Z3], True),  # shrink z − μ → (1 − t)(z − μ): a null direction at t = 0 only
                                              # (at t = 1 the batch collapses to μ and v = 0)
    ([2, 2, 2], True),                      # a multiple of 1
    ([x + sum(Z3) / 3 for x in Z3], True),  # (z − μ) + 2μ·1: still in span{1, z − μ}
    (list(Z3), True),                       # z = μ·1 + (z − μ): a shift plus a scale, both invariances
    ([1, 0, 0], False),                     # moving one sample changes the others' standardised values
    ([x**2 for x in Z3], False),            # not in span{1, z − μ}: ε = 0 BN's only null directions
])
def test_directional_derivative_detects_null_directions(w, vanishes):
    """The ε = 0 BN Jacobian at a generic batch has null space span{1, z − μ} (ẑ is invariant under shifts and
    positive scalings of the batch and depends on nothing else): the check must say True on it and False off it,
    so a True in ``as_defined`` is not the check's default."""
    assert batchnorm._directional_derivative_vanishes(Z3, [sp.sympify(x) for x in w]) is vanishes


def test_directional_derivative_of_a_symbol_named_t():
    """A direction containing a user's own symbol called t (here w = t·1, t real) is a multiple of 1: null.  The
    helper's differentiation variable must not be confused with it."""
    t = sp.Symbol("t", real=True)
    assert batchnorm._directional_derivative_vanishes(Z3, [t, t, t]) is True
    assert batchnorm._directional_derivative_vanishes(Z3, [t, 0, 0]) is False
