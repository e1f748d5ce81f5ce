"""theory/ziyin/other_losses.py: the symbolic data model shared by the SCL, Barlow Twins and VICReg derivations.

The module docstring fixes the model: x = x̂ + ε, x′ = x̂ + ε′, χ = χ̂ + ε″ with x̂, χ̂ ~ N(0, A0) and ε, ε′, ε″ ~
N(0, C), all independent, at d0 = d1 = 2, every symbol real.  ``_setup`` builds it; these tests read its return
value against that statement, and the printed residual of eq. 17 in the entries a_ij, c_ij, w_ij."""
from __future__ import annotations

import sympy as sp

from sslverify.theory.ziyin import other_losses as ol


def _sym(name: str, i: int, j: int) -> sp.Symbol:
    """Entry (i, j) of a symmetric real matrix named ``name``: one symbol per unordered pair, name{min}{max}."""
    return sp.Symbol(f"{name}{min(i, j)}{max(i, j)}", real=True)


def test_setup_is_the_documented_two_dimensional_model():
    """d0 = d1 = 2 by default; A0 and C are the symmetric real matrices (a_ij), (c_ij); W = (w_ij) real."""
    A0, C, W, x, xp, chi, variables, K = ol._setup()
    assert W.shape == (2, 2) and A0.shape == (2, 2) and C.shape == (2, 2)
    assert A0 == sp.Matrix(2, 2, lambda i, j: _sym("a", i, j))
    assert C == sp.Matrix(2, 2, lambda i, j: _sym("c", i, j))
    assert W == sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))


def test_setup_views_share_the_clean_sample_and_add_their_own_noise():
    """``variables`` lists (x̂, ε, ε′, χ̂, ε″) two coordinates each, K is block-diagonal with blocks
    (A0, C, C, A0, C) in that order, and the views are the sums x = x̂ + ε, x′ = x̂ + ε′, χ = χ̂ + ε″ (docstring)."""
    A0, C, W, x, xp, chi, variables, K = ol._setup()
    assert len(variables) == 10 and len(set(variables)) == 10
    xh, e1, e2, ch, e3 = (sp.Matrix(variables[2 * k: 2 * k + 2]) for k in range(5))
    assert x == xh + e1 and xp == xh + e2 and chi == ch + e3
    blocks = (A0, C, C, A0, C)
    for r in range(5):
        for c in range(5):
            expected = blocks[r] if r == c else sp.zeros(2, 2)
            assert sp.Matrix(K)[2 * r: 2 * r + 2, 2 * c: 2 * c + 2] == expected


def test_setup_symbols_are_real():
    """Weights, covariance entries and Gaussian coordinates are all declared real (SymPy can then decide
    conjugates, |·| and √ of squares); the views are built from the Gaussian coordinates only."""
    A0, C, W, x, xp, chi, variables, K = ol._setup()
    assert (x.free_symbols | xp.free_symbols | chi.free_symbols) == set(variables)
    for s in [*variables, *W, *A0.free_symbols, *C.free_symbols]:
        assert s.is_real is True, s


def test_eq17_residual_printed_in_the_model_symbols():
    """Eq. 16 − eq. 17 = 2Tr[W(C − A0)Wᵀ], worked by hand (the exact loss is −2Tr[WA0Wᵀ] + Tr[P²], eq. 17 is
    −2Tr[WCWᵀ] + Tr[P²]), written out in freshly built real symbols a_ij, c_ij, w_ij: the returned residual is
    that polynomial itself, so it can be printed or evaluated by symbol name."""
    A0 = sp.Matrix(2, 2, lambda i, j: _sym("a", i, j))
    C = sp.Matrix(2, 2, lambda i, j: _sym("c", i, j))
    W = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    gap = sp.expand(2 * (W * (C - A0) * W.T).trace())
    got = ol.scl_symbolic()["source"]
    assert sp.expand(got - gap) == 0
    assert got.free_symbols == gap.free_symbols
