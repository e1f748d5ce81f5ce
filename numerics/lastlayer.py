"""Last-layer weight regularisation (003_*.txt §3.5, eq. 11), batched over K runs.

``orthogonality_penalty(W) = ‖WWᵀ − I‖_F²`` for (K, out, in) weights (rows pushed to an
orthonormal set; the source's L_reg).  ``train_encoder_projector`` trains K runs of an MLP encoder
(``numerics.content_style_train.init_mlp`` / ``forward``) with an optional MLP projector and the
InfoNCE of ``numerics.content_style_train.infonce``; per run a flag says whether the loss sees the
projector output or the encoder output (the projector of a run without it gets no gradient), and
a coefficient λ_k multiplies the penalty on the encoder's last layer:

    L_k = InfoNCE(z_k, z~_k) + λ_k ‖W_last,k W_last,kᵀ − I‖_F²,   z = proj(h) or h,  h = enc(x).

One Adam over all K runs (the runs share no parameters, and Adam is per-coordinate, so each run
follows its own Adam trajectory).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sslverify.numerics.content_style_train import forward, infonce
from sslverify.numerics.validation import check_int, check_nonnegative, check_positive


def orthogonality_penalty(W: torch.Tensor) -> torch.Tensor:
    """‖WWᵀ − I‖_F² for W (..., out, in) -> (...); needs out <= in to be reachable (0)."""
    if W.dim() < 2:
        raise ValueError(f"W must have shape (..., out, in), got {tuple(W.shape)}")
    G = W @ W.transpose(-1, -2)
    eye = torch.eye(W.shape[-2], dtype=W.dtype, device=W.device)
    return ((G - eye) ** 2).sum((-1, -2))


def last_key(params: dict) -> str:
    depth = sum(1 for k in params if k.startswith("W"))
    return f"W{depth - 1}"


@dataclass
class RegResult:
    encoder: dict
    projector: dict
    loss_history: np.ndarray  # (R, K) InfoNCE part
    penalty_history: np.ndarray  # (R, K) ‖WWᵀ − I‖² of the encoder's last layer
    steps: np.ndarray


def train_encoder_projector(encoder: dict, projector: dict, use_projector, lam, x_pool: torch.Tensor,
                            xt_pool: torch.Tensor, tau: torch.Tensor, kind: str = "cosine", steps: int = 1000,
                            batch: int = 256, lr: float = 1e-3, seed: int = 0, slope: float = 0.01,
                            record_every: int = 50) -> RegResult:
    """Adam on K stacked runs; use_projector (K,) bool, lam (K,) ≥ 0; pools (K, P, d)."""
    check_int(steps, "steps", 1)
    check_int(batch, "batch", 2)
    check_positive(lr, "lr")
    K, P, _ = x_pool.shape
    if batch > P:
        raise ValueError(f"batch must be <= pool size {P}, got {batch}")
    use = torch.as_tensor(use_projector, dtype=torch.bool).reshape(-1)
    lam = torch.as_tensor(lam, dtype=x_pool.dtype).reshape(-1)
    if use.numel() != K or lam.numel() != K:
        raise ValueError(f"use_projector and lam must hold K={K} entries, got {use.numel()} and {lam.numel()}")
    for v in lam.tolist():
        check_nonnegative(v, "lam")
    enc = {k: v.clone().requires_grad_(True) for k, v in encoder.items()}
    proj = {k: v.clone().requires_grad_(True) for k, v in projector.items()}
    last = last_key(enc)
    opt = torch.optim.Adam(list(enc.values()) + list(proj.values()), lr=lr)
    g = torch.Generator().manual_seed(seed)
    ar = torch.arange(K).unsqueeze(1)
    mask = use.view(K, 1, 1)
    hist, pen_hist, rec = [], [], []
    for t in range(steps):
        idx = torch.randint(0, P, (K, batch), generator=g)
        h = forward(enc, torch.cat([x_pool[ar, idx], xt_pool[ar, idx]], 1), slope)
        z = torch.where(mask, forward(proj, h, slope), h)
        loss = infonce(z[:, :batch], z[:, batch:], tau, kind)  # (K,)
        pen = orthogonality_penalty(enc[last])
        opt.zero_grad()
        (loss + lam * pen).sum().backward()
        opt.step()
        if t % record_every == 0 or t == steps - 1:
            hist.append(loss.detach().numpy().copy())
            pen_hist.append(pen.detach().numpy().copy())
            rec.append(t)
    return RegResult({k: v.detach() for k, v in enc.items()}, {k: v.detach() for k, v in proj.items()},
                     np.array(hist), np.array(pen_hist), np.array(rec))
