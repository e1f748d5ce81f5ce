"""Sparse-coding data and masking augmentations of Pokle et al. (002, §4.1–4.2).

x = Mz + ε (eq. 1): M ∈ R^{p×d} column-orthonormal (QR of a seeded Gaussian matrix, §4.2),
latents with i.i.d. coordinates, Pr(z_i ≠ 0) = β (``sparsity``): zero-one z_i ∈ {0, 1} or
symmetric z_i ∈ {0, ±1} (±1 with β/2 each); by default a draw with z = 0 is redrawn ("at least
one non-zero", §4.2 footnote); ε ~ N(0, σ₀² I_p).  ``one_sparse`` gives the 1-sparse latents of
Thm 1 (z = ±e_j, j uniform).  Views: independent masks a_i = D_i x, D_i = diag(Bernoulli(α))
(eq. 3) or dependent masks a₁ = 2Dx, a₂ = 2(I − D)x (eq. 2).  Everything is vectorized over
leading batch dimensions; every draw comes from an explicit seed / torch.Generator.
"""
from __future__ import annotations

import numpy as np
import torch

from sslverify.numerics.validation import check_finite_number, check_int, check_nonnegative

LATENTS = ("binary", "symmetric")
#: column-orthonormality tolerance for an explicitly passed M: QR in float64 gives MᵀM = I to
#: ~1e-15; a float32 copy of an orthonormal M has |MᵀM − I| ~ 1e-7·√p, below 1e-6 for p ≤ 50.
ORTHO_TOL = 1e-6


def check_mask_prob(alpha) -> float:
    """Mask probability α must lie in (0, 1] (α = 0 masks every coordinate)."""
    a = check_finite_number(alpha, "alpha")
    if not 0.0 < a <= 1.0:
        raise ValueError(f"alpha (mask probability) must lie in (0, 1], got {alpha!r}")
    return a


def check_sparsity(beta) -> float:
    """β = Pr(z_i ≠ 0) must lie in (0, 1) (§4.1)."""
    b = check_finite_number(beta, "sparsity")
    if not 0.0 < b < 1.0:
        raise ValueError(f"sparsity (Pr(z_i != 0)) must lie in (0, 1), got {beta!r}")
    return b


def check_dims(p, d) -> tuple[int, int]:
    d = check_int(d, "d", 1)
    p = check_int(p, "p", 1)
    if p < d:
        raise ValueError(f"p must be >= d (M ∈ R^(p×d) is column-orthonormal), got p={p}, d={d}")
    return p, d


def _kind(kind: str) -> str:
    if kind not in LATENTS:
        raise ValueError(f"kind must be one of {LATENTS}, got {kind!r}")
    return kind


def random_dictionary(p: int, d: int, seed: int) -> torch.Tensor:
    """M = Q of the QR decomposition of a p×d standard Gaussian matrix (§4.2), float64."""
    p, d = check_dims(p, d)
    g = np.random.default_rng(seed).standard_normal((p, d))
    q, r = np.linalg.qr(g)
    return torch.as_tensor(q * np.sign(np.diag(r)), dtype=torch.float64)


def check_dictionary(M, d: int | None = None) -> torch.Tensor:
    """An explicitly passed M must be p×d with p ≥ d and MᵀM = I (max entry error ≤ ORTHO_TOL)."""
    M = torch.as_tensor(M, dtype=torch.float64)
    if M.ndim != 2:
        raise ValueError(f"M must be a p×d matrix, got shape {tuple(M.shape)}")
    check_dims(M.shape[0], M.shape[1])
    if d is not None and M.shape[1] != d:
        raise ValueError(f"M must have d={d} columns, got {M.shape[1]}")
    if not torch.isfinite(M).all():
        raise ValueError("M must be finite")
    err = float((M.T @ M - torch.eye(M.shape[1], dtype=M.dtype)).abs().max())
    if err > ORTHO_TOL:
        raise ValueError(f"M must be column-orthonormal (max |MᵀM − I| = {err:.3g} > {ORTHO_TOL})")
    return M


def sample_latents(n: int, d: int, sparsity: float, kind: str = "symmetric", seed: int = 0,
                   at_least_one: bool = True) -> torch.Tensor:
    """(n, d) latents with i.i.d. coordinates, Pr(z_i ≠ 0) = sparsity; rows with z = 0 redrawn."""
    n, d = check_int(n, "n", 1), check_int(d, "d", 1)
    beta, kind = check_sparsity(sparsity), _kind(kind)
    g = torch.Generator().manual_seed(int(seed))
    z = torch.zeros(n, d, dtype=torch.float64)
    todo = torch.ones(n, dtype=torch.bool)
    while todo.any():
        k = int(todo.sum())
        nz = (torch.rand(k, d, generator=g, dtype=torch.float64) < beta).double()
        if kind == "symmetric":
            nz = nz * (2.0 * (torch.rand(k, d, generator=g) < 0.5).double() - 1.0)
        z[todo] = nz
        todo = (z == 0).all(-1) if at_least_one else torch.zeros(n, dtype=torch.bool)
    return z


def one_sparse_latents(n: int, d: int, kind: str = "binary", seed: int = 0) -> torch.Tensor:
    """z = e_j (binary) or ±e_j (symmetric), j uniform on [d] (Thm 1's latent distribution)."""
    n, d, kind = check_int(n, "n", 1), check_int(d, "d", 1), _kind(kind)
    g = torch.Generator().manual_seed(int(seed))
    j = torch.randint(d, (n,), generator=g)
    z = torch.nn.functional.one_hot(j, d).double()
    if kind == "symmetric":
        z = z * (2.0 * (torch.rand(n, 1, generator=g) < 0.5).double() - 1.0)
    return z


def sample_data(M, z: torch.Tensor, sigma0: float = 0.0, seed: int = 0) -> torch.Tensor:
    """x = Mz + ε, ε ~ N(0, σ₀² I_p) (eq. 1); z (..., d) -> x (..., p)."""
    M = check_dictionary(M)
    s = check_nonnegative(sigma0, "sigma0")
    if z.shape[-1] != M.shape[1]:
        raise ValueError(f"z must have d={M.shape[1]} coordinates, got {z.shape[-1]}")
    x = z.to(torch.float64) @ M.T
    if s > 0:
        g = torch.Generator().manual_seed(int(seed))
        x = x + s * torch.randn(x.shape, generator=g, dtype=torch.float64)
    return x


def default_sigma0(d: int) -> float:
    """σ₀ with σ₀² = log d / d: §4.2 samples ε from N(0, log d / d) (variance)."""
    d = check_int(d, "d", 2)
    return float(np.sqrt(np.log(d) / d))


def random_masks(shape, alpha: float, generator: torch.Generator, dtype=torch.float64) -> torch.Tensor:
    """Diagonals of D = diag(Bernoulli(α)) in the given shape (one mask per row)."""
    a = check_mask_prob(alpha)
    return (torch.rand(tuple(shape), generator=generator, dtype=torch.float64) < a).to(dtype)


def independent_views(x: torch.Tensor, alpha: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """a₁ = D₁x, a₂ = D₂x with independent masks (eq. 3)."""
    d1 = random_masks(x.shape, alpha, generator, x.dtype)
    d2 = random_masks(x.shape, alpha, generator, x.dtype)
    return d1 * x, d2 * x


def dependent_views(x: torch.Tensor, alpha: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """a₁ = 2Dx, a₂ = 2(I − D)x with one mask D (eq. 2, §4.1 footnote)."""
    dm = random_masks(x.shape, alpha, generator, x.dtype)
    return 2 * dm * x, 2 * (1 - dm) * x


def views(x: torch.Tensor, alpha: float, generator: torch.Generator, scheme: str = "independent"):
    if scheme == "independent":
        return independent_views(x, alpha, generator)
    if scheme == "dependent":
        return dependent_views(x, alpha, generator)
    raise ValueError(f"scheme must be 'independent' or 'dependent', got {scheme!r}")
