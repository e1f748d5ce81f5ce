"""SSL losses, batched over K configurations (leading dimension).

Shapes: features ``fx``, ``fxp`` are (K, N, d1): row i of ``fx`` is the anchor
f(x_i), row i of ``fxp`` its positive f(x'_i); ``mask`` (K, N) marks real rows
(configs with fewer points are padded).  Each loss returns a (K,) tensor: the loss
of every configuration, averaged over its real anchors (the sources sum over i;
a mean only rescales the loss by 1/N, to which Adam is invariant).
"""
from __future__ import annotations

import math

import torch
from torch.autograd.function import once_differentiable

NEG_INF = float("-inf")


def _valid(mask: torch.Tensor | None, fx: torch.Tensor) -> torch.Tensor:
    if mask is None:
        return torch.ones(fx.shape[:2], dtype=torch.bool, device=fx.device)
    if mask.shape != fx.shape[:2]:
        raise ValueError(f"mask must have shape {tuple(fx.shape[:2])}, got {tuple(mask.shape)}")
    return mask


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
    ``alpha``: float or (K,) tensor in [0, 1].
    ``fused=True``: the same loss through ``WeightedInfoNCEFused`` (closed-form backward,
    fewer N×N passes; first derivatives only) — what the trainer uses.
    """
    valid = _valid(mask, fx)
    k, n, _ = fx.shape
    alpha = torch.as_tensor(alpha, dtype=fx.dtype, device=fx.device).expand(k)
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
    ℓ_i = -s_ii + log Σ_j exp(s_ij + [j = i] log α).  With P = the row softmax of that
    denominator and G_ij = w_i (P_ij - δ_ij), w_i = 1/N_valid on real anchors:
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
        pos = (fx * fxp).sum(-1) + col
        logits = torch.baddbmm(col.masked_fill(~valid, NEG_INF).unsqueeze(1), fx, fxp.transpose(1, 2))
        log_alpha = torch.where(alpha > 0, alpha.clamp_min(1e-300).log(), torch.full_like(alpha, NEG_INF))
        logits.diagonal(dim1=1, dim2=2).add_(log_alpha.unsqueeze(-1))
        m = logits.amax(-1, keepdim=True)  # finite: every row has >= 1 real negative
        E = logits.sub_(m).exp_()  # unnormalized row softmax, in place
        z = E.sum(-1)
        lse = m.squeeze(-1) + z.log()
        per_anchor = torch.where(valid, lse - pos, torch.zeros_like(lse))
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
    2N - 1 other views (the positive included)."""
    valid = _valid(mask, z1)
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


def quartic_loss(W, B, Sigma) -> torch.Tensor:
    """Effective landscape of Prop 6: L = -Tr[W B Wᵀ] + Tr[W Σ Wᵀ W Σ Wᵀ]; W (K,d1,d0), B, Σ (K,d0,d0)."""
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
    Note: torch.optim's weight_decay=γ adds γW to the gradient, i.e. (γ/2)‖W‖_F²."""
    gamma = torch.as_tensor(gamma, dtype=W.dtype, device=W.device)
    return gamma * (W * W).sum((1, 2))


def spectral_contrastive(fx, fxp, mask=None) -> torch.Tensor:
    """SCL, eq. 16 without the constraint: -2 E[f(x)ᵀf(x')] + E_{i≠j}[(f(x_i)ᵀf(x'_j))²]."""
    valid = _valid(mask, fx)
    n = fx.shape[1]
    cross = torch.bmm(fx, fxp.transpose(1, 2))
    pos = torch.diagonal(cross, dim1=1, dim2=2)
    pair = valid.unsqueeze(2) & valid.unsqueeze(1) & ~torch.eye(n, dtype=torch.bool, device=fx.device)
    neg = torch.where(pair, cross**2, torch.zeros_like(cross)).sum((1, 2)) / pair.sum((1, 2)).clamp_min(1)
    return -2 * _mean_over_valid(pos, valid) + neg


def barlow_twins(fx, fxp, lam: float = 5e-3, standardize: bool = True, mask=None, eps: float = 1e-5) -> torch.Tensor:
    """Barlow Twins: Σ_i (1 - C_ii)² + λ Σ_{i≠j} C_ij².

    standardize=True: C is the cross-correlation of batch-standardized embeddings
    (Zbontar et al.); standardize=False: C = (1/N) Σ_n f(x_n) f(x'_n)ᵀ, the
    unnormalized cross-moment that an expansion around W = 0 can use.
    """
    valid = _valid(mask, fx).to(fx.dtype).unsqueeze(-1)
    n = valid.sum(1, keepdim=True).clamp_min(1)
    if standardize:
        def std(f):
            mu = (f * valid).sum(1, keepdim=True) / n
            var = (((f - mu) * valid) ** 2).sum(1, keepdim=True) / n
            return (f - mu) / (var + eps).sqrt() * valid
        a, b = std(fx), std(fxp)
    else:
        a, b = fx * valid, fxp * valid
    C = torch.bmm(a.transpose(1, 2), b) / n
    diag = torch.diagonal(C, dim1=1, dim2=2)
    off = (C**2).sum((1, 2)) - (diag**2).sum(-1)
    return ((1 - diag) ** 2).sum(-1) + lam * off


def log_n_minus_1_plus_alpha(n: int, alpha: float) -> float:
    """Loss of weighted InfoNCE at W = 0: log(N - 1 + α) (all kernels equal 1)."""
    return math.log(n - 1 + alpha)
