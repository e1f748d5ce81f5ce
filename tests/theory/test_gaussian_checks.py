"""theory/gaussian.py: what is checked of a covariance, an expression and a block grid, at the boundaries.

Every "Gaussian data" derivation of the project goes through gaussian_expectation; these tests pin the
checks it makes of its inputs (module docstring of theory/gaussian.py) at their edges: exactly singular
PSD covariances are accepted, numbers just past Cauchy–Schwarz are not, every kind of non-finite entry is
named, numpy arrays of real / object dtype are accepted and others are not, a grid given as tuples is a grid.
Found by mutation testing (benchmarks/mutation.py): none of these edges was exercised before.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.gaussian import block_covariance, gaussian_expectation

x, y, z = sp.symbols("x y z", real=True)
s = sp.Symbol("s", positive=True)


@pytest.mark.parametrize("cov, expected", [
    (np.array([[2.0]]), 2),  # float64 array ("f")
    (np.array([[2]]), 2),  # integer array ("i")
    (np.array([[2]], dtype=np.uint8), 2),  # unsigned ("u")
    (np.array([[s]], dtype=object), s),  # SymPy entries ("O")
])
def test_real_numpy_covariances_are_accepted(cov, expected):
    assert sp.simplify(gaussian_expectation(x**2, [x], cov) - expected) == 0


@pytest.mark.parametrize("cov, kind", [(np.array([[1 + 0j]]), "complex128"), (np.array([[True]]), "bool"),
                                       (np.array([["1"]]), "<U1")])
def test_other_numpy_arrays_are_rejected(cov, kind):
    with pytest.raises(ValueError, match=rf"cov must be a real matrix, got a numpy array of dtype {kind}"):
        gaussian_expectation(x**2, [x], cov)


@pytest.mark.parametrize("entry", [sp.nan, sp.oo, -sp.oo, sp.zoo, s * sp.zoo, s * sp.oo, sp.Function("f")(sp.nan)])
def test_every_non_finite_entry_is_named(entry):
    # -oo is not "real = False" first: it is reported as infinite; products with oo / zoo and an unevaluated
    # f(nan) stay unevaluated in SymPy and are caught by .has(), not by membership in {nan, ±oo, zoo}
    with pytest.raises(ValueError, match=r"cov must be finite \(no NaN / oo / zoo entries\), got cov\[0, 0\]"):
        gaussian_expectation(x**2, [x], sp.Matrix([[entry]]))


def test_exactly_singular_covariances_are_positive_semi_definite():
    # smallest eigenvalue 0 (float64 eigvalsh gives 0 up to ~1e-16): inside the margin −1e-12·max|K|
    assert gaussian_expectation(x * y, [x, y], [[1, 1], [1, 1]]) == 1
    assert gaussian_expectation(x * y, [x, y], [[4, -2], [-2, 1]]) == -2


@pytest.mark.parametrize("a, b, c, psd", [
    (4, 4, sp.Rational(9, 2), False),  # c² = 81/4 > ab = 16 (while 2c = 9 ≤ 16)
    (sp.Rational(1, 2), sp.Rational(1, 2), sp.Rational(3, 5), False),  # c² = 9/25 > 1/4 (while c³ ≤ 1/4)
    (1, 1, 1, True),  # c² = ab: singular 2x2 block, still PSD
    (1, 4, sp.Rational(3, 2), True),  # c² = 9/4 ≤ ab = 4 (but > a/b)
])
def test_cauchy_schwarz_on_the_numeric_pairs_of_a_symbolic_covariance(a, b, c, psd):
    K = sp.Matrix([[a, c, 0], [c, b, 0], [0, 0, s]])  # s symbolic: the entry-wise checks apply, not eigvalsh
    if psd:
        assert gaussian_expectation(x * y, [x, y, z], K) == c
    else:
        with pytest.raises(ValueError, match=r"\|cov\[0, 1\]\|² = .* exceeds cov\[0, 0\]·cov\[1, 1\] = .*Cauchy–Schwarz"):
            gaussian_expectation(x * y, [x, y, z], K)


@pytest.mark.parametrize("expr", [sp.MatrixSymbol("M", 2, 2), x > 0])
def test_expr_must_be_a_scalar_expression(expr):
    with pytest.raises(ValueError, match=r"expr must be a scalar SymPy expression"):
        gaussian_expectation(expr, [x], [[1]])


@pytest.mark.parametrize("expr", [x * sp.zoo, x * sp.oo, sp.nan])
def test_expr_must_be_finite(expr):
    with pytest.raises(ValueError, match=r"expr must be finite"):
        gaussian_expectation(expr, [x], [[1]])


@pytest.mark.parametrize("variables, got", [(x, "Symbol"), ("xy", "str"), (3, "int")])
def test_variables_must_be_a_sequence(variables, got):
    with pytest.raises(ValueError, match=rf"variables must be a sequence of SymPy Symbols, got {got}"):
        gaussian_expectation(x**2, variables, [[1]])


# ----------------------------------------------------------------------------- block_covariance
def test_block_grids_may_be_tuples_and_may_have_one_block():
    assert block_covariance(((sp.eye(1), None), (None, sp.Matrix([[2]])))) == sp.diag(1, 2)
    assert block_covariance([[sp.Matrix([[2]])]]) == sp.Matrix([[2]])
    assert block_covariance([(sp.eye(2),)]) == sp.eye(2)


@pytest.mark.parametrize("blocks, pattern", [
    (3, r"blocks must be a square grid \(list of lists\) of matrices, got int"),
    ("ab", r"blocks must be a square grid \(list of lists\) of matrices, got str"),
    ([], r"blocks must hold at least one row, got an empty grid"),
    ([5], r"blocks must be a square grid: row 0 must have 1 entries, got int"),
    ([sp.Matrix([[1]])], r"blocks must be a square grid: row 0 must have 1 entries, got MutableDenseMatrix"),
    ([[sp.Matrix([[1, 0]])]], r"blocks\[0\]\[0\] must be a non-empty square matrix, got shape \(1, 2\)"),
    ([[sp.zeros(0, 0)]], r"blocks\[0\]\[0\] must be a non-empty square matrix, got shape \(0, 0\)"),
])
def test_bad_block_grids_are_named(blocks, pattern):
    with pytest.raises(ValueError, match=pattern):
        block_covariance(blocks)
