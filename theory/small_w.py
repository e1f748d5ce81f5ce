"""The small-W expansion of an expected loss of a linear model, exactly (any loss, any Gaussian data).

For a loss ℓ(W; z) of a linear model f = Wx whose randomness z (data, augmentation, negatives) is
zero-mean jointly Gaussian with covariance K,

    E_z ℓ(tW; z) = Σ_{k=0}^{order} t^k c_k(W) + O(t^{order+1}),

with c_k = (1/k!) E_z[∂_t^k ℓ(tW; z)]|_{t=0}.  The derivative at t = 0 is a polynomial in z (for any
smooth ℓ: log-sum-exp, softmax, polynomials), so its expectation is exact by Isserlis' theorem
(:func:`sslverify.theory.gaussian.gaussian_expectation`).  This is the step the source papers take by
hand when they write "L = −Tr[WBWᵀ] + (quartic) + O(W⁶)" (Ziyin et al. eq. 3–4): here it is derived
from the loss itself, so a reader can compare B and the quartic term with the source's.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import sympy as sp

from sslverify.theory.gaussian import check_gaussian_covariance, check_variables, gaussian_expectation


def small_w_expansion(loss: Callable[[sp.Matrix], sp.Expr], W: sp.Matrix, variables: Sequence[sp.Symbol],
                      cov: sp.Matrix, order: int = 4) -> dict[int, sp.Expr]:
    """Exact Taylor coefficients {k: c_k} (k = 0..order) of t ↦ E_z ℓ(tW; z).

    loss:      callable taking the (scaled) weight matrix and returning a SymPy expression in the
               entries of W and the Gaussian ``variables``.
    W:         SymPy matrix of the weights (symbols or numbers).
    variables: the zero-mean jointly Gaussian variables the loss depends on.
    cov:       their joint covariance (symbolic entries allowed), shape (len(variables),)*2.
    order:     highest power of t kept (≥ 0).

    Raises ValueError naming the parameter for a bad order, a non-callable loss, a W that is empty or
    contains the Gaussian variables, variables that are not distinct Symbols, a covariance that fails
    ``theory.gaussian.check_gaussian_covariance`` (shape, symmetry, finiteness, PSD as far as
    decidable), a loss that does not return a scalar expression, or a derivative that is not
    polynomial in ``variables`` (then the loss is not smooth at W = 0).
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"order must be an integer >= 0, got {order!r}")
    order = int(order)
    if not callable(loss):
        raise ValueError(f"loss must be a callable W -> SymPy expression, got {type(loss).__name__}")
    if not isinstance(W, sp.MatrixBase):
        raise ValueError(f"W must be a SymPy Matrix, got {type(W).__name__}")
    if 0 in W.shape:
        raise ValueError(f"W must not be empty, got shape {W.shape}")
    variables = check_variables(variables)
    cov = check_gaussian_covariance(cov, len(variables))
    shared = sorted(str(v) for v in set(variables) & W.free_symbols)
    if shared:
        raise ValueError(f"W must not contain the Gaussian variables (the weights are not random), got {shared}")
    if any(e.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for e in W):
        raise ValueError("W must be finite (no NaN / ±oo / zoo entries)")
    t = sp.Dummy("t")
    value = loss(t * W)  # errors inside the user's loss are theirs: let them through unchanged
    try:
        expr = sp.sympify(value)
    except (sp.SympifyError, TypeError):
        raise ValueError(f"loss must return a SymPy expression, got {type(value).__name__}") from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        raise ValueError(f"loss must return a scalar SymPy expression, got {type(expr).__name__}")
    out: dict[int, sp.Expr] = {}
    deriv = expr
    for k in range(order + 1):
        if k:
            deriv = sp.diff(deriv, t)
        at0 = sp.expand(deriv.subs(t, 0))
        try:
            ek = gaussian_expectation(at0, variables, cov)
        except ValueError as exc:
            raise ValueError(f"loss: the order-{k} term is not a polynomial in the Gaussian variables "
                             f"({exc}); the loss must be smooth at W = 0") from None
        out[k] = sp.expand(ek / sp.factorial(k))
    return out
