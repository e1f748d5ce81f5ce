"""Stationary points of a loss and their Hessians, by autograd (float64): Newton, census, classification.

A derivation that says "every stationary point has the form …" or "every local minimum has rank …"
is checked by landing on stationary points numerically and classifying them by the Hessian's
eigenvalues (after neural-tangents' habit of checking theory against the actual function).  Newton's
method may fail to converge; the result says so (``converged``) and a check must then report
``inconclusive``, never a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from sslverify.numerics.validation import check_finite_number, check_int, check_positive

LossFn = Callable[[torch.Tensor], torch.Tensor]


def _as_point(x0, name: str = "x0") -> torch.Tensor:
    x = torch.as_tensor(x0, dtype=torch.float64).detach().clone()
    if x.numel() == 0:
        raise ValueError(f"{name} must have at least one entry, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} must be finite (it contains NaN or inf)")
    return x


def _scalar(loss: LossFn, x: torch.Tensor) -> torch.Tensor:
    val = loss(x)
    if not isinstance(val, torch.Tensor) or val.numel() != 1:
        raise ValueError(f"loss must return a scalar tensor, got {type(val).__name__} "
                         f"{tuple(getattr(val, 'shape', ()))}")
    return val.reshape(())


def gradient(loss: LossFn, x) -> torch.Tensor:
    """∇loss at x (same shape as x)."""
    x = _as_point(x, "x").requires_grad_(True)
    (g,) = torch.autograd.grad(_scalar(loss, x), x)
    return g.detach()


def hessian(loss: LossFn, x) -> torch.Tensor:
    """The Hessian of loss at x as an (n, n) matrix, n = x.numel() (row-major flattening of x)."""
    x = _as_point(x, "x")
    shape = x.shape

    def flat(v):
        return _scalar(loss, v.reshape(shape))

    H = torch.autograd.functional.hessian(flat, x.reshape(-1))
    return 0.5 * (H + H.T)


@dataclass(frozen=True)
class StationaryPoint:
    x: torch.Tensor
    grad_norm: float  # max |∂loss| at x
    converged: bool  # grad_norm <= tol
    iterations: int


def newton_stationary(loss: LossFn, x0, tol: float = 1e-10, max_iter: int = 100, damping: float = 1e-12
                      ) -> StationaryPoint:
    """Newton's method on ∇loss = 0 (least squares steps: works at degenerate/saddle points too).

    tol: max |gradient entry| at which the point counts as stationary (float64: ~1e-10 for O(1) losses).
    """
    x = _as_point(x0)
    check_positive(tol, "tol")
    check_int(max_iter, "max_iter", 1)
    check_finite_number(damping, "damping")
    g = gradient(loss, x)
    it = 0
    for it in range(1, max_iter + 1):
        if float(g.abs().max()) <= tol:
            return StationaryPoint(x, float(g.abs().max()), True, it - 1)
        H = hessian(loss, x)
        step = torch.linalg.lstsq(H + damping * torch.eye(H.shape[0], dtype=H.dtype), -g.reshape(-1, 1)).solution
        x_new = x + step.reshape(x.shape)
        if not torch.isfinite(x_new).all():
            break
        x = x_new
        g = gradient(loss, x)
    gn = float(g.abs().max())
    return StationaryPoint(x, gn, gn <= tol, it)


def classify_hessian(H, rtol: float = 1e-8) -> str:
    """'min' (all eigenvalues > 0), 'max' (all < 0), 'saddle' (both signs) or 'degenerate' (zero modes
    and one sign only: second order does not decide).

    Eigenvalues with |λ| <= rtol·max|λ| count as zero (float64 round-off of the Hessian; symmetry
    orbits give exact zero modes, so a minimum of a loss with a symmetry is reported 'degenerate').
    """
    H = torch.as_tensor(H, dtype=torch.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {tuple(H.shape)}")
    if not torch.isfinite(H).all():
        raise ValueError("H must be finite (it contains NaN or inf)")
    check_positive(rtol, "rtol")
    lam = torch.linalg.eigvalsh(0.5 * (H + H.T))
    scale = float(lam.abs().max()) or 1.0
    pos = bool((lam > rtol * scale).any())
    neg = bool((lam < -rtol * scale).any())
    zero = bool((lam.abs() <= rtol * scale).any())
    if pos and neg:
        return "saddle"
    if neg:  # no positive eigenvalue: a maximum, unless zero modes leave it undecided at second order
        return "degenerate" if zero else "max"
    return "degenerate" if zero else "min"
