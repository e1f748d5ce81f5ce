"""brute_force_population's d = 1 interface: its symbols (a variance a > 0, c > 0, a real weight w00) and that explicit
A0, C are used when given, checked against the hand-worked order-2 coefficient E2 = −(N−1)/(N−1+α) · T_A, T_A = w²A0."""
from __future__ import annotations

import sympy as sp

from sslverify.theory.ziyin import expansion as X


def test_symbolic_d1_returns_positive_variances_and_real_weight():
    """Default d = 1: A0 = [[a]], C = [[c]] with a, c > 0 (variances) and W = [[w00]] real; at N = 2,
    E2 = −(1/(1+α)) a w00² (b = (N−1)/K, K = 1 + α), exact SymPy equality, so symbol names and assumptions count."""
    a, c, w = sp.Symbol("a", positive=True), sp.Symbol("c", positive=True), sp.Symbol("w00", real=True)
    E2, _E4, W, A0, C = X.brute_force_population(2, 1)
    assert W == sp.Matrix([[w]]) and A0 == sp.Matrix([[a]]) and C == sp.Matrix([[c]])
    assert sp.simplify(E2 - (-a * w**2 / (1 + X.ALPHA))) == 0


def test_explicit_d1_covariances_are_used():
    """d = 1 with A0 = [[2]], C = [[1]] given: the numbers, not the symbols, enter: E2 = −2 w00²/(1+α) at N = 2."""
    w = sp.Symbol("w00", real=True)
    E2, _E4, _W, A0, C = X.brute_force_population(2, 1, A0=((2,),), C=((1,),))
    assert A0 == sp.Matrix([[2]]) and C == sp.Matrix([[1]])
    assert sp.simplify(E2 - (-2 * w**2 / (1 + X.ALPHA))) == 0
