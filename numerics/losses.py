"""SSL losses, batched over K configurations (leading dimension).

Shapes: features ``fx``, ``fxp`` are (K, N, d1): row i of ``fx`` is the anchor
f(x_i), row i of ``fxp`` its positive f(x'_i); ``mask`` (K, N) marks real rows
(configs with fewer points are padded).  Each loss returns a (K,) tensor: the loss
of every configuration, averaged over its real anchors (the sources sum over i;
a mean only rescales the loss by 1/N, to which Adam is invariant).

Every public loss validates its arguments (``numerics.validation``): fx/fxp real float32/float64
tensors of one shape (K, N, d), dtype and device, finite (skipped inside
``validation.assume_finite()``); ``mask`` a bool (K, N) tensor with enough real rows per
configuration for the loss to be defined; scalar parameters in range.  Violations raise a
ValueError naming the parameter, the rule and the value.

Conventions where the field uses one name for two things:
* ``weighted_infonce`` with α = 0 is Ziyin et al.'s eq. 3 (Gaussian kernel −½|f − f'|², negatives are
  the *other second views* only, N − 1 of them); it is **not** SimCLR's NT-Xent (``nt_xent``: cosine
  similarity / τ, 2N anchors, 2N − 2 negatives from both views).  With α = 1 it is InfoNCE eq. 1:
  ``F.cross_entropy(logits, arange(N))`` with logits_ij = −½|f(x_i) − f(x'_j)|².
* ``barlow_twins(standardize=True)`` standardises like Zbontar et al.'s official code
  (``BatchNorm1d(affine=False)``: biased batch variance + eps); lightly's ``BarlowTwinsLoss`` divides by
  the unbiased std without eps, i.e. its C is ours (eps = 0) times (N − 1)/N.
"""
from __future__ import annotations

import math

import torch
from torch.autograd.function import once_differentiable

from sslverify.numerics.validation import (
    check_bool, check_mask, check_nonnegative, check_param_vector, check_positive, check_psd_matrices,
    check_same_layout, check_symmetric_matrices, check_tensor,
)

NEG_INF = float("-inf")


def _valid(mask: torch.Tensor | None, fx: torch.Tensor) -> torch.Tensor:
    if mask is None:
        return torch.ones(fx.shape[:2], dtype=torch.bool, device=fx.device)
    if mask.shape != fx.shape[:2]:
        raise ValueError(f"mask must have shape {tuple(fx.shape[:2])}, got {tuple(mask.shape)}")
    return mask


def _check_pair(fx, fxp, names: tuple[str, str], mask, min_rows: int, rule: str):
    """Validated (fx, fxp, valid): same (K, N, d) shape/dtype/device, finite, mask with >= min_rows real rows."""
    a, b = names
    fx = check_tensor(fx, a, ndim=3, layout="(K, N, d)")
    fxp = check_tensor(fxp, b, ndim=3, layout="(K, N, d)")
    check_same_layout(fxp, fx, b, a)
    mask = check_mask(mask, tuple(fx.shape[:2]), fx.device, min_rows, rule, a)
    return fx, fxp, _valid(mask, fx)


def _mean_over_valid(per_anchor: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    per_anchor = torch.where(valid, per_anchor, torch.zeros_like(per_anchor))
    return per_anchor.sum(-1) / valid.sum(-1).clamp_min(1)


def gaussian_logits(fx: torch.Tensor, fxp: torch.Tensor) -> torch.Tensor:
    """logits[k, i, j] = -½|f(x_i) - f(x'_j)|² (the Gaussian kernel of eq. 1), via one bmm."""
    cross = torch.bmm(fx, fxp.transpose(1, 2))
    return cross - 0.5 * (fx * fx).sum(-1, keepdim=True) - 0.5 * (fxp * fxp).sum(-1).unsqueeze(1)


def weighted_infonce(fx, fxp, alpha, mask=None, fused: bool = False) -> torch.Tensor:
    """Weighted InfoNCE, eq. 3 (α = 1: InfoNCE eq. 1; α = 0: the NT-xent form of eq. 3).

    ℓ_i = ½|f(x_i) - f(x'_i)|² + log( Σ_{j≠i} exp(-½|f(x_i) - f(x'_j)|²) + α exp(-½|f(x_i) - f(x'_i)|²) ).
    Negatives of anchor i are the second views x'_j, j ≠ i (independent noise).
    ``alpha``: float or (K,) tensor in [0, 1].  Every configuration needs N >= 2 real rows (one
    negative at least).  α = 0 is not SimCLR's NT-Xent (see the module docstring).
    ``fused=True``: the same loss through ``WeightedInfoNCEFused`` (closed-form backward,
    fewer N×N passes; first derivatives only) — what the trainer uses.
    """
    fused = check_bool(fused, "fused")
    fx, fxp, valid = _check_pair(fx, fxp, ("fx", "fxp"), mask, 2, "a contrastive loss needs a negative")
    k, n, _ = fx.shape
    alpha = check_param_vector(alpha, "alpha", k, fx, "unit")
    if fused:
        return WeightedInfoNCEFused.apply(fx, fxp, alpha, valid)
    logits = gaussian_logits(fx, fxp)
    pos = torch.diagonal(logits, dim1=1, dim2=2)  # (K, N)
    eye = torch.eye(n, dtype=torch.bool, device=fx.device)
    log_alpha = torch.where(alpha > 0, alpha.clamp_min(1e-300).log(), torch.full_like(alpha, NEG_INF))
    denom = torch.where(eye, pos.unsqueeze(-1) + log_alpha.view(k, 1, 1) + torch.zeros_like(logits), logits)
    denom = denom.masked_fill(~valid.unsqueeze(1), NEG_INF)  # padded negatives
    per_anchor = -pos + torch.logsumexp(denom, dim=-1)
    return _mean_over_valid(per_anchor, valid)


class WeightedInfoNCEFused(torch.autograd.Function):
    """Weighted InfoNCE (eq. 3) with a closed-form backward.

    The row term -½|f(x_i)|² is common to every entry of row i and to the positive,
    so it cancels in ℓ_i: with s_ij = f(x_i)·f(x'_j) - ½|f(x'_j)|² (one baddbmm),
    ℓ_i = -s_ii + log Σ_j exp(s_ij + [j = i] log α).  The positive s_ii is read off the
    logits' diagonal (not recomputed elementwise), so its rounding cancels against the same
    entry inside the log-sum-exp: the float32 loss value then has the accuracy of the
    differences s_ij − s_ii, not an error eps·|f|² of two separately rounded |f|²-sized terms.
    With P = the row softmax of that denominator and G_ij = w_i (P_ij - δ_ij), w_i = 1/N_valid on real anchors:
    ∂L/∂f(x) = G f(x'),  ∂L/∂f(x') = Gᵀ f(x) - colsum(G) ⊙ f(x').
    Inputs: fx, fxp (K, N, d), alpha (K,), valid (K, N) bool.  Returns (K,).
    N×N passes: baddbmm, max, subtract+exp (in place), sum; backward: scale, two bmm's
    (written as (f(x')ᵀGᵀ)ᵀ and (f(x)ᵀG)ᵀ, the faster layout for small d; colsum(G)
    rides along as an extra row of ones in the second).
    """

    @staticmethod
    def forward(ctx, fx, fxp, alpha, valid):
        w = valid.to(fx.dtype)
        scale = w / w.sum(-1, keepdim=True).clamp_min(1)  # (K, N)
        col = -0.5 * (fxp * fxp).sum(-1)  # (K, N)
        logits = torch.baddbmm(col.masked_fill(~valid, NEG_INF).unsqueeze(1), fx, fxp.transpose(1, 2))
        pos = logits.diagonal(dim1=1, dim2=2).clone()  # s_ii, rounded exactly as inside the lse
        log_alpha = torch.where(alpha > 0, alpha.clamp_min(1e-300).log(), torch.full_like(alpha, NEG_INF))
        logits.diagonal(dim1=1, dim2=2).add_(log_alpha.unsqueeze(-1))
        m = logits.amax(-1, keepdim=True)  # finite: every row has >= 1 real negative
        E = logits.sub_(m).exp_()  # unnormalized row softmax, in place
        z = E.sum(-1)
        # (m - s_ii) first: both carry the same rounding of s_ii when the positive dominates
        per_anchor = (m.squeeze(-1) - pos) + z.log()
        per_anchor = torch.where(valid, per_anchor, torch.zeros_like(per_anchor))
        ctx.save_for_backward(fx, fxp, E, scale, scale / z)
        return (per_anchor * scale).sum(-1)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        fx, fxp, E, scale, scale_over_z = ctx.saved_tensors
        g = grad_out.unsqueeze(-1)
        G = E * (g * scale_over_z).unsqueeze(-1)  # = g w_i P_ij
        G.diagonal(dim1=1, dim2=2).sub_(g * scale)
        d_fx = torch.bmm(fxp.transpose(1, 2), G.transpose(1, 2)).transpose(1, 2)
        ones = torch.ones_like(fx[..., :1])
        t = torch.bmm(torch.cat([fx, ones], -1).transpose(1, 2), G).transpose(1, 2)  # (K, N, d+1)
        d_fxp = t[..., :-1] - t[..., -1:] * fxp
        return d_fx, d_fxp, None, None


def normalize_rows(f: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """f / ‖f‖ (output normalization, App. B Fig. 3)."""
    return f / f.norm(dim=-1, keepdim=True).clamp_min(eps)


def nt_xent(z1, z2, tau: float = 0.5, mask=None) -> torch.Tensor:
    """NT-Xent as SimCLR implements it: 2N views, cosine similarity / τ, for each of the
    2N anchors the positive is its partner view and the denominator runs over all
    2N - 1 other views (the positive included) — lightly's ``NTXentLoss`` (memory bank off) and
    ``F.cross_entropy`` over the 2N × 2N similarity matrix.  τ > 0.  A zero embedding row is
    normalised with F.normalize's convention (‖z‖ clamped at 1e-12: cosine 0 with everything)."""
    tau = check_positive(tau, "tau")
    z1, z2, valid = _check_pair(z1, z2, ("z1", "z2"), mask, 1, "every anchor needs its partner view")
    k, n, _ = z1.shape
    z = normalize_rows(torch.cat([z1, z2], dim=1))  # (K, 2N, d)
    sim = torch.bmm(z, z.transpose(1, 2)) / tau
    v2 = torch.cat([valid, valid], dim=1)
    eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(eye.unsqueeze(0), NEG_INF).masked_fill(~v2.unsqueeze(1), NEG_INF)
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    pos = sim.gather(2, partner.view(1, -1, 1).expand(k, -1, 1)).squeeze(-1)
    per_anchor = -pos + torch.logsumexp(sim, dim=-1)
    return _mean_over_valid(per_anchor, v2)


def nt_xent_with_grad(z1: torch.Tensor, z2: torch.Tensor, tau: float = 0.5):
    """(``nt_xent(z1, z2, tau)`` (K,), ∂L/∂z1, ∂L/∂z2) in closed form, without an autograd graph (no mask).

    With u = z/‖z‖ (‖z‖ clamped at 1e-12) over the 2N views, S = u uᵀ/τ (diagonal excluded), P its row softmax,
    p(i) the partner view: ℓ_i = −S_{i,p(i)} + log Σ_{j≠i} e^{S_ij}, L = mean_i ℓ_i, and
    ∂L/∂u = ((P + Pᵀ) u − 2 u_p) / (2Nτ), ∂L/∂z = (g − (g·u) u)/‖z‖.  N×N passes: bmm, max, exp, and two bmm's of
    E = e^{S − max} with [u, 1] and [u/Z, 1/Z] (the autograd path: about a dozen)."""
    tau = check_positive(tau, "tau")
    K, n, d = z1.shape
    z = torch.cat([z1, z2], dim=1)  # (K, 2N, d)
    nrm = z.norm(dim=-1, keepdim=True)
    inv = 1.0 / nrm.clamp_min(1e-12)
    u = z * inv
    S = torch.bmm(u, u.transpose(1, 2)).div_(tau)
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    up = u.index_select(1, partner)
    pos = S.gather(2, partner.view(1, -1, 1).expand(K, -1, 1)).squeeze(-1)
    S.diagonal(dim1=1, dim2=2).fill_(NEG_INF)
    m = S.amax(-1)
    E = S.sub_(m.unsqueeze(-1)).exp_()  # exponents ≥ −2/τ − (round-off): no underflow floor needed
    one = torch.ones(K, 2 * n, 1, dtype=z.dtype, device=z.device)
    rows = torch.bmm(E, torch.cat([u, one], -1))
    Z = rows[..., d]
    loss = (Z.log() + m - pos).mean(-1)
    iz = (1.0 / Z).unsqueeze(-1)
    PTu = torch.bmm(E.transpose(1, 2), u * iz)
    gu = (rows[..., :d] * iz + PTu - 2 * up) / (2 * n * tau)
    proj = (gu * u).sum(-1, keepdim=True) * u
    gz = (gu - torch.where(nrm >= 1e-12, proj, 0.0)) * inv
    return loss, gz[:, :n], gz[:, n:]


def quartic_loss(W, B, Sigma) -> torch.Tensor:
    """Effective landscape of Prop 6: L = -Tr[W B Wᵀ] + Tr[W Σ Wᵀ W Σ Wᵀ]; W (K,d1,d0), B, Σ (K,d0,d0)
    (B and Σ may also be single (d0, d0) matrices shared by all K).  B must be symmetric (only its
    symmetric part enters the trace), Σ symmetric positive semi-definite (a covariance)."""
    W = check_tensor(W, "W", ndim=3, layout="(K, d1, d0)")
    d0 = W.shape[-1]
    for name, M in (("B", B), ("Sigma", Sigma)):
        M = check_tensor(M, name, min_ndim=2, layout=f"(K, {d0}, {d0})", finite=False)
        if M.dim() > 3 or M.shape[-2:] != (d0, d0) or (M.dim() == 3 and M.shape[0] not in (1, W.shape[0])):
            raise ValueError(f"{name} must have shape ({W.shape[0]}, {d0}, {d0}) or ({d0}, {d0}) to match W "
                             f"{tuple(W.shape)}, got {tuple(M.shape)}")
        if M.dtype != W.dtype:
            raise ValueError(f"{name} must have the same dtype as W ({W.dtype}), got {M.dtype}")
    B = check_symmetric_matrices(B, "B", layout=f"(K, {d0}, {d0})")
    Sigma = check_psd_matrices(Sigma, "Sigma", layout=f"(K, {d0}, {d0})")
    S = W @ Sigma @ W.transpose(1, 2)
    return -(W @ B * W).sum((1, 2)) + (S * S.transpose(1, 2)).sum((1, 2))


def norm_regularizer(W, Sigma, c) -> torch.Tensor:
    """R = (E‖f(x)‖² - c)² with the population E‖Wx‖² = Tr[W Σ Wᵀ] (eq. 5)."""
    rho = (W @ Sigma * W).sum((1, 2))
    return (rho - torch.as_tensor(c, dtype=W.dtype, device=W.device)) ** 2


def norm_regularizer_empirical(fx, c, mask=None) -> torch.Tensor:
    """R = (mean_i ‖f(x_i)‖² - c)² on a batch."""
    valid = _valid(mask, fx)
    sq = _mean_over_valid((fx * fx).sum(-1), valid)
    return (sq - torch.as_tensor(c, dtype=fx.dtype, device=fx.device)) ** 2


def weight_decay(W, gamma) -> torch.Tensor:
    """γ ‖W‖_F² (so the landscape reads -Tr[W (B - γI) Wᵀ] + ...: the §1.1 convention).
    W (K, d1, d0); γ >= 0, a number or a (K,) tensor.
    Note: torch.optim's weight_decay=γ adds γW to the gradient, i.e. (γ/2)‖W‖_F²."""
    W = check_tensor(W, "W", ndim=3, layout="(K, d1, d0)")
    gamma = check_param_vector(gamma, "gamma", W.shape[0], W, "nonnegative")
    return gamma * (W * W).sum((1, 2))


def spectral_contrastive(fx, fxp, mask=None) -> torch.Tensor:
    """SCL, eq. 16 without the constraint: -2 E[f(x)ᵀf(x')] + E_{i≠j}[(f(x_i)ᵀf(x'_j))²].
    Every configuration needs N >= 2 real rows (the second term averages over pairs i ≠ j)."""
    fx, fxp, valid = _check_pair(fx, fxp, ("fx", "fxp"), mask, 2, "the negative term averages over pairs i != j")
    n = fx.shape[1]
    cross = torch.bmm(fx, fxp.transpose(1, 2))
    pos = torch.diagonal(cross, dim1=1, dim2=2)
    pair = valid.unsqueeze(2) & valid.unsqueeze(1) & ~torch.eye(n, dtype=torch.bool, device=fx.device)
    neg = torch.where(pair, cross**2, torch.zeros_like(cross)).sum((1, 2)) / pair.sum((1, 2)).clamp_min(1)
    return -2 * _mean_over_valid(pos, valid) + neg


def barlow_twins(fx, fxp, lam: float = 5e-3, standardize: bool = True, mask=None, eps: float = 1e-5) -> torch.Tensor:
    """Barlow Twins: Σ_i (1 - C_ii)² + λ Σ_{i≠j} C_ij².

    standardize=True: C is the cross-correlation of batch-standardized embeddings
    (Zbontar et al.'s official code: BatchNorm1d(affine=False), i.e. biased batch variance + eps =
    ``F.batch_norm(f, None, None, training=True, eps=eps)``; needs N >= 2 real rows, and eps > 0 unless
    no column is constant); standardize=False: C = (1/N) Σ_n f(x_n) f(x'_n)ᵀ, the
    unnormalized cross-moment that an expansion around W = 0 can use.  λ >= 0, eps >= 0.
    lightly's BarlowTwinsLoss uses the unbiased std and no eps (module docstring).
    """
    lam = check_nonnegative(lam, "lam")
    eps = check_nonnegative(eps, "eps")
    standardize = check_bool(standardize, "standardize")
    rows, rule = (2, "batch standardisation needs a variance") if standardize else (1, "C averages over rows")
    fx, fxp, valid_b = _check_pair(fx, fxp, ("fx", "fxp"), mask, rows, rule)
    valid = valid_b.to(fx.dtype).unsqueeze(-1)
    n = valid.sum(1, keepdim=True).clamp_min(1)
    if standardize:
        def std(f, name):
            mu = (f * valid).sum(1, keepdim=True) / n
            var = (((f - mu) * valid) ** 2).sum(1, keepdim=True) / n
            if eps == 0:
                # constant up to rounding: a constant column's mean rounds, leaving var ~ (eps·|f|)² ≠ 0
                floor = (n * torch.finfo(f.dtype).eps * (f.detach() * valid).abs().amax(1, keepdim=True)) ** 2
                flat = var.detach() <= floor
                if bool(flat.any()):
                    k, _, j = (int(i) for i in torch.nonzero(flat)[0])
                    raise ValueError(f"{name} column {j} of configuration {k} has zero batch variance (up to "
                                     f"rounding): standardising it with eps = 0 divides by 0 (use eps > 0)")
            return (f - mu) / (var + eps).sqrt() * valid
        a, b = std(fx, "fx"), std(fxp, "fxp")
    else:
        a, b = fx * valid, fxp * valid
    C = torch.bmm(a.transpose(1, 2), b) / n
    diag = torch.diagonal(C, dim1=1, dim2=2)
    eye = torch.eye(C.shape[-1], dtype=torch.bool, device=C.device)
    off = (C**2).masked_fill(eye, 0.0).sum((1, 2))  # summed directly: no cancellation against the diagonal
    return ((1 - diag) ** 2).sum(-1) + lam * off


def log_n_minus_1_plus_alpha(n: int, alpha: float) -> float:
    """Loss of weighted InfoNCE at W = 0: log(N - 1 + α) (all kernels equal 1)."""
    return math.log(n - 1 + alpha)
