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

import sympy as sp

from sslverify.theory.gaussian import gaussian_expectation


def small_w_expansion(loss: Callable[[sp.Matrix], sp.Expr], W: sp.Matrix, variables: Sequence[sp.Symbol],
                      cov: sp.Matrix, order: int = 4) -> dict[int, sp.Expr]:
    """Exact Taylor coefficients {k: c_k} (k = 0..order) of t ↦ E_z ℓ(tW; z).

    loss:      callable taking the (scaled) weight matrix and returning a SymPy expression in the
               entries of W and the Gaussian ``variables``.
    W:         SymPy matrix of the weights (symbols or numbers).
    variables: the zero-mean jointly Gaussian variables the loss depends on.
    cov:       their joint covariance (symbolic entries allowed), shape (len(variables),)*2.
    order:     highest power of t kept (≥ 0).

    Raises ValueError naming the parameter for a bad order, mismatched shapes, or a derivative that
    is not polynomial in ``variables`` (then the loss is not smooth at W = 0).
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise ValueError(f"order must be an integer >= 0, got {order!r}")
    if not isinstance(W, sp.MatrixBase):
        raise ValueError(f"W must be a SymPy Matrix, got {type(W).__name__}")
    variables = list(variables)
    if not variables:
        raise ValueError("variables must name at least one Gaussian variable")
    cov = sp.Matrix(cov)
    if cov.shape != (len(variables), len(variables)):
        raise ValueError(f"cov must have shape ({len(variables)}, {len(variables)}) to match variables, "
                         f"got {cov.shape}")
    t = sp.Dummy("t")
    expr = sp.sympify(loss(t * W))
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
