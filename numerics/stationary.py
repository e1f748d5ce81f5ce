"""Stationary points of a loss and their Hessians, by autograd (float64): Newton, census, classification.

A derivation that says "every stationary point has the form …" or "every local minimum has rank …"
is checked by landing on stationary points numerically and classifying them by the Hessian's
eigenvalues (after neural-tangents' habit of checking theory against the actual function).  Newton's
method may fail to converge; the result says so (``converged``) and a check must then report
``inconclusive``, never a verdict.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from sslverify.numerics.validation import (
    check_bool, check_int, check_nonnegative, check_open_unit, check_positive, check_tensor,
    sym_rtol,
)

LossFn = Callable[[torch.Tensor], torch.Tensor]


def _as_point(x0, name: str = "x0") -> torch.Tensor:
    """A finite float64 copy of the point (any real array-like or tensor, at least one entry)."""
    x = check_tensor(x0, name, layout="(a point: any shape, >= 1 entry)")
    return x.detach().to(torch.float64).clone()


def _check_loss_fn(loss) -> None:
    if not callable(loss):
        raise ValueError(f"loss must be a callable x -> scalar tensor, got {type(loss).__name__}")


def _scalar(loss: LossFn, x: torch.Tensor, where: str) -> torch.Tensor:
    val = loss(x)
    if not isinstance(val, torch.Tensor) or val.numel() != 1 or not val.is_floating_point():
        raise ValueError(f"loss must return a real scalar (one-element floating) tensor, got {type(val).__name__} "
                         f"{tuple(getattr(val, 'shape', ()))} {getattr(val, 'dtype', '')}".rstrip())
    if x.requires_grad and not val.requires_grad:
        raise ValueError(f"loss must be differentiable in x by torch autograd: its value at {where} does not "
                         f"depend on x through torch operations (detached, or computed with numpy?)")
    return val.reshape(())


def _grad_unchecked(loss: LossFn, x: torch.Tensor, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss value, gradient) at x, both possibly non-finite (the caller decides)."""
    xr = x.detach().clone().requires_grad_(True)
    val = _scalar(loss, xr, where)
    (g,) = torch.autograd.grad(val, xr)
    return val.detach(), g.detach()


def _require_finite(t: torch.Tensor, what: str, where: str) -> None:
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"loss must have a finite {what} at {where}, got {t.flatten()[:6].tolist()}"
                         + (" ..." if t.numel() > 6 else ""))


def _grad_checked(loss: LossFn, x: torch.Tensor, where: str) -> torch.Tensor:
    val, g = _grad_unchecked(loss, x, where)
    _require_finite(val, "value", where)
    _require_finite(g, "gradient", where)
    return g


def gradient(loss: LossFn, x) -> torch.Tensor:
    """∇loss at x (float64, same shape as x).  Raises if the loss or its gradient is not finite at x."""
    _check_loss_fn(loss)
    return _grad_checked(loss, _as_point(x, "x"), "x")


def _hessian_unchecked(loss: LossFn, x: torch.Tensor, where: str) -> torch.Tensor:
    shape = x.shape

    def flat(v):
        return _scalar(loss, v.reshape(shape), where)

    H = torch.autograd.functional.hessian(flat, x.reshape(-1))
    return 0.5 * (H + H.T)


def hessian(loss: LossFn, x) -> torch.Tensor:
    """The Hessian of loss at x as an (n, n) matrix, n = x.numel() (row-major flattening of x).
    Raises if the loss or its Hessian is not finite at x."""
    _check_loss_fn(loss)
    x = _as_point(x, "x")
    val, _ = _grad_unchecked(loss, x, "x")
    _require_finite(val, "value", "x")
    H = _hessian_unchecked(loss, x, "x")
    _require_finite(H, "Hessian", "x")
    return H


@dataclass(frozen=True)
class StationaryPoint:
    x: torch.Tensor
    grad_norm: float  # max |∂loss| at x (inf/NaN only when Newton left the finite region: not converged)
    converged: bool  # grad_norm <= tol
    iterations: int

    def __post_init__(self):
        if not isinstance(self.x, torch.Tensor):
            raise ValueError(f"x must be a torch.Tensor, got {type(self.x).__name__}")
        check_bool(self.converged, "converged")
        if isinstance(self.grad_norm, bool) or not isinstance(self.grad_norm, (int, float)):
            raise ValueError(f"grad_norm must be a float, got {self.grad_norm!r}")
        if self.grad_norm < 0:
            raise ValueError(f"grad_norm must be >= 0 (a max of absolute values), got {self.grad_norm!r}")
        if self.converged and not math.isfinite(self.grad_norm):
            raise ValueError(f"grad_norm must be finite for a converged point, got {self.grad_norm!r}")
        check_int(self.iterations, "iterations", 0)


def newton_stationary(loss: LossFn, x0, tol: float = 1e-10, max_iter: int = 100, damping: float = 1e-12
                      ) -> StationaryPoint:
    """Newton's method on ∇loss = 0 (least squares steps: works at degenerate/saddle points too).

    tol: max |gradient entry| at which the point counts as stationary (float64: ~1e-10 for O(1) losses).
    damping >= 0: added to the Hessian's diagonal.  The loss and its gradient must be finite at x0
    (ValueError otherwise); if an iterate leaves the region where they are finite, the search stops
    and returns converged=False at the last finite iterate (a failure of the method, not of the input).
    """
    _check_loss_fn(loss)
    x = _as_point(x0)
    check_positive(tol, "tol")
    check_int(max_iter, "max_iter", 1)
    check_nonnegative(damping, "damping")
    g = _grad_checked(loss, x, "x0")
    it = 0
    for it in range(1, max_iter + 1):
        if float(g.abs().max()) <= tol:
            return StationaryPoint(x, float(g.abs().max()), True, it - 1)
        H = _hessian_unchecked(loss, x, "an iterate")
        if not bool(torch.isfinite(H).all()):
            break
        step = torch.linalg.lstsq(H + damping * torch.eye(H.shape[0], dtype=H.dtype), -g.reshape(-1, 1)).solution
        x_new = x + step.reshape(x.shape)
        if not torch.isfinite(x_new).all():
            break
        val, g_new = _grad_unchecked(loss, x_new, "an iterate")
        if not (bool(torch.isfinite(val)) and bool(torch.isfinite(g_new).all())):
            break
        x, g = x_new, g_new
    gn = float(g.abs().max())
    return StationaryPoint(x, gn, gn <= tol, it)


def classify_hessian(H, rtol: float = 1e-8) -> str:
    """'min' (all eigenvalues > 0), 'max' (all < 0), 'saddle' (both signs) or 'degenerate' (zero modes
    and one sign only: second order does not decide).

    H must be symmetric (tolerance validation.sym_rtol of its dtype); rtol in (0, 1).
    Eigenvalues with |λ| <= rtol·max|λ| count as zero (float64 round-off of the Hessian; symmetry
    orbits give exact zero modes, so a minimum of a loss with a symmetry is reported 'degenerate').
    """
    H = check_tensor(H, "H", ndim=2, layout="(n, n)")
    if H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {tuple(H.shape)}")
    src = H.dtype
    H = H.detach().to(torch.float64)
    rtol = check_open_unit(rtol, "rtol")
    scale_h = float(H.abs().max())
    asym = float((H - H.T).abs().max())
    if asym > sym_rtol(src) * max(scale_h, 1e-300):
        i, j = (int(v) for v in torch.nonzero((H - H.T).abs() == asym)[0])
        raise ValueError(f"H must be symmetric (a Hessian), got H[{i}, {j}] = {float(H[i, j]):.6g} but "
                         f"H[{j}, {i}] = {float(H[j, i]):.6g}")
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
