"""Exact expectations of polynomials in zero-mean jointly Gaussian variables.

Isserlis' (Wick's) theorem: for zero-mean jointly Gaussian z,
E[z_{a1} ... z_{a2k}] = sum over perfect pairings of prod K[a_i, a_j], and odd
moments vanish.  This is the engine behind every "Gaussian data" statement the
project derives (Prop 6, the small-W expansion, SCL, Barlow Twins): the
expectation is computed monomial by monomial, exactly, with symbolic covariances.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import sympy as sp


def gaussian_expectation(expr: sp.Expr, variables: Sequence[sp.Symbol], cov: sp.Matrix) -> sp.Expr:
    """E[expr] for a polynomial ``expr`` in ``variables`` ~ N(0, cov).

    ``cov`` is the joint covariance of ``variables`` in the given order (symbolic
    entries allowed).  Raises ValueError if ``expr`` is not polynomial in them or
    the shapes disagree.
    """
    variables = list(variables)
    n = len(variables)
    cov = sp.Matrix(cov)
    if cov.shape != (n, n):
        raise ValueError(f"cov must have shape ({n}, {n}) to match variables, got {cov.shape}")
    if (cov - cov.T).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ValueError("cov must be symmetric")
    try:
        poly = sp.Poly(sp.expand(expr), *variables)
    except sp.PolynomialError as exc:
        raise ValueError(f"expr must be a polynomial in variables: {exc}") from None

    @lru_cache(maxsize=None)
    def moment(idx: tuple[int, ...]) -> sp.Expr:
        # idx sorted tuple of variable indices (with repetition)
        if not idx:
            return sp.Integer(1)
        if len(idx) % 2:
            return sp.Integer(0)
        first, rest = idx[0], idx[1:]
        total = sp.Integer(0)
        for j in range(len(rest)):
            if j > 0 and rest[j] == rest[j - 1]:
                continue  # identical partners: count multiplicity below
            mult = rest.count(rest[j])
            remaining = rest[:j] + rest[j + 1:]
            total += mult * cov[first, rest[j]] * moment(remaining)
        return total

    result = sp.Integer(0)
    for powers, coeff in poly.terms():
        idx = tuple(i for i, p in enumerate(powers) for _ in range(p))
        result += coeff * moment(idx)
    return result


def block_covariance(blocks: Sequence[Sequence[sp.Matrix | None]]) -> sp.Matrix:
    """Assemble a joint covariance from blocks; ``None`` means a zero block."""
    sizes = []
    for i, row in enumerate(blocks):
        diag = row[i]
        if diag is None:
            raise ValueError(f"diagonal block {i} must be given")
        sizes.append(diag.shape[0])
    rows = []
    for i, row in enumerate(blocks):
        rows.append([sp.zeros(sizes[i], sizes[j]) if b is None else sp.Matrix(b) for j, b in enumerate(row)])
    return sp.Matrix(sp.BlockMatrix(rows))
