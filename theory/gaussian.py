"""Exact expectations of polynomials in zero-mean jointly Gaussian variables.

Isserlis' (Wick's) theorem: for zero-mean jointly Gaussian z,
E[z_{a1} ... z_{a2k}] = sum over perfect pairings of prod K[a_i, a_j], and odd
moments vanish.  This is the engine behind every "Gaussian data" statement the
project derives (Prop 6, the small-W expansion, SCL, Barlow Twins): the
expectation is computed monomial by monomial, exactly, with symbolic covariances.

What is checked of a covariance K (``check_gaussian_covariance``), since Isserlis' formula evaluates
to a number for *any* square matrix and so cannot flag a wrong one itself:
* always: a square SymPy-convertible matrix of the right size, exactly symmetric (K − Kᵀ expands
  to 0), no NaN / ±oo / zoo entries, no entry SymPy knows to be non-real;
* numeric K (every entry a number): positive semi-definite — smallest eigenvalue of the float64
  matrix ≥ −1e-12·max|K| (float64 eigvalsh round-off of an exactly PSD matrix, with margin);
* symbolic K, what can be decided entry by entry: every diagonal entry ≥ 0 where it is a number or
  SymPy's assumptions decide its sign (a variance), and |K_ij|² ≤ K_ii K_jj (Cauchy–Schwarz) where
  all three are numbers.  Full PSD of a symbolic K (e.g. [[1, ρ], [ρ, 1]] needs |ρ| ≤ 1) is the
  caller's assumption: it is not decidable here and is not checked.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import sympy as sp

#: PSD tolerance for a numeric (exact or float) covariance, relative to max |K|: float64 eigvalsh of an
#: exactly PSD matrix is accurate to ~n·eps·max|K| (≈ 1e-14 for n ≤ 50); 1e-12 leaves a 100× margin.
PSD_RTOL = 1e-12


def check_variables(variables, name: str = "variables") -> list[sp.Symbol]:
    """A non-empty sequence of distinct SymPy Symbols."""
    if isinstance(variables, (sp.Basic, str)) or not hasattr(variables, "__iter__"):
        raise ValueError(f"{name} must be a sequence of SymPy Symbols, got {type(variables).__name__}")
    out = list(variables)
    if not out:
        raise ValueError(f"{name} must name at least one Gaussian variable, got an empty sequence")
    for i, v in enumerate(out):
        if not isinstance(v, sp.Symbol):
            raise ValueError(f"{name}[{i}] must be a SymPy Symbol, got {v!r} ({type(v).__name__})")
    seen: dict[sp.Symbol, int] = {}
    for i, v in enumerate(out):
        if v in seen:
            raise ValueError(f"{name} must be distinct, got {v} at positions {seen[v]} and {i}")
        seen[v] = i
    return out


def _as_matrix(cov, name: str) -> sp.ImmutableMatrix:
    if isinstance(cov, (np.ndarray,)) and cov.dtype.kind not in "iufO":
        raise ValueError(f"{name} must be a real matrix, got a numpy array of dtype {cov.dtype}")
    try:
        return sp.ImmutableMatrix(cov)
    except Exception as exc:  # SymPy raises several types for non-matrices
        raise ValueError(f"{name} must be a square matrix (SymPy Matrix or nested lists), got "
                         f"{type(cov).__name__}: {exc}") from None


def check_gaussian_covariance(cov, n: int, name: str = "cov") -> sp.ImmutableMatrix:
    """Validated (n, n) joint covariance of zero-mean Gaussian variables (see the module docstring)."""
    K = _as_matrix(cov, name)
    if K.shape != (n, n):
        raise ValueError(f"{name} must have shape ({n}, {n}) to match the {n} variables, got {K.shape}")
    return _check_cov_cached(K, name)


@lru_cache(maxsize=512)
def _check_cov_cached(K: sp.ImmutableMatrix, name: str) -> sp.ImmutableMatrix:
    n = K.shape[0]
    bad = {sp.nan, sp.oo, -sp.oo, sp.zoo}
    for i in range(n):
        for j in range(n):
            e = K[i, j]
            if e in bad or e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise ValueError(f"{name} must be finite (no NaN / oo / zoo entries), got {name}[{i}, {j}] = {e}")
            if e.is_real is False:
                raise ValueError(f"{name} must be real, got {name}[{i}, {j}] = {e}")
    for i in range(n):
        for j in range(i + 1, n):
            if sp.expand(K[i, j] - K[j, i]) != 0:
                raise ValueError(f"{name} must be symmetric, got {name}[{i}, {j}] = {K[i, j]} but "
                                 f"{name}[{j}, {i}] = {K[j, i]}")
    for i in range(n):
        d = K[i, i]
        if d.is_negative or (d.is_number and d.is_real and bool(d < 0)):
            raise ValueError(f"{name} must be positive semi-definite: the variance {name}[{i}, {i}] = {d} is negative")
    if all(e.is_number for e in K):
        A = np.array(K.evalf(), dtype=np.float64)
        scale = float(np.abs(A).max())
        lam = np.linalg.eigvalsh(A)
        if lam[0] < -PSD_RTOL * scale:
            raise ValueError(f"{name} must be positive semi-definite, got smallest eigenvalue {lam[0]:.6g} "
                             f"(eigenvalues {np.array2string(lam, precision=4)})")
        return K
    for i in range(n):
        for j in range(i + 1, n):
            a, b, c = K[i, i], K[j, j], K[i, j]
            if a.is_number and b.is_number and c.is_number and bool(c**2 > a * b):
                raise ValueError(f"{name} must be positive semi-definite: |{name}[{i}, {j}]|² = {c**2} exceeds "
                                 f"{name}[{i}, {i}]·{name}[{j}, {j}] = {a * b} (Cauchy–Schwarz)")
    return K


def gaussian_expectation(expr: sp.Expr, variables: Sequence[sp.Symbol], cov: sp.Matrix) -> sp.Expr:
    """E[expr] for a polynomial ``expr`` in ``variables`` ~ N(0, cov).

    ``cov`` is the joint covariance of ``variables`` in the given order (symbolic
    entries allowed; what is checked of it: module docstring).  Raises ValueError naming
    the parameter if ``expr`` is not polynomial in the variables, ``variables`` are not
    distinct Symbols, or ``cov`` has the wrong shape, is not symmetric, has NaN/infinite
    entries, or is not positive semi-definite as far as that can be decided.
    """
    variables = check_variables(variables)
    n = len(variables)
    cov = check_gaussian_covariance(cov, n)
    try:
        expr = sp.sympify(expr)
    except (sp.SympifyError, TypeError) as exc:
        raise ValueError(f"expr must be a SymPy expression, got {type(expr).__name__}: {exc}") from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        raise ValueError(f"expr must be a scalar SymPy expression, got {type(expr).__name__}")
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"expr must be finite, got {expr}")
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
    """Assemble a joint covariance from blocks; ``None`` means a zero block.

    ``blocks`` is a square grid (m rows of m entries); block (i, j) must have shape (n_i, n_j) where
    n_i is the size of the square diagonal block i.  The assembled matrix is checked like any
    covariance (``check_gaussian_covariance``: symmetric, finite, PSD as far as decidable), so a
    grid that gives block (i, j) but not its transpose (j, i) is reported, not returned.
    """
    if isinstance(blocks, (sp.MatrixBase, str)) or not hasattr(blocks, "__iter__"):
        raise ValueError(f"blocks must be a square grid (list of lists) of matrices, got {type(blocks).__name__}")
    grid = [list(row) if hasattr(row, "__iter__") and not isinstance(row, (sp.MatrixBase, str)) else row
            for row in blocks]
    m = len(grid)
    if m == 0:
        raise ValueError("blocks must hold at least one row, got an empty grid")
    for i, row in enumerate(grid):
        if not isinstance(row, list) or len(row) != m:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise ValueError(f"blocks must be a square grid: row {i} must have {m} entries, got {got}")
    sizes = []
    for i, row in enumerate(grid):
        diag = row[i]
        if diag is None:
            raise ValueError(f"blocks[{i}][{i}] (diagonal block {i}) must be given, got None")
        D = _as_matrix(diag, f"blocks[{i}][{i}]")
        if D.shape[0] != D.shape[1] or D.shape[0] == 0:
            raise ValueError(f"blocks[{i}][{i}] must be a non-empty square matrix, got shape {D.shape}")
        sizes.append(D.shape[0])
    rows = []
    for i, row in enumerate(grid):
        out = []
        for j, b in enumerate(row):
            if b is None:
                out.append(sp.zeros(sizes[i], sizes[j]))
                continue
            B = sp.Matrix(_as_matrix(b, f"blocks[{i}][{j}]"))
            if B.shape != (sizes[i], sizes[j]):
                raise ValueError(f"blocks[{i}][{j}] must have shape ({sizes[i]}, {sizes[j]}), got {B.shape}")
            out.append(B)
        rows.append(out)
    K = sp.Matrix(sp.BlockMatrix(rows))
    check_gaussian_covariance(K, K.shape[0], "blocks (assembled covariance)")
    return K
