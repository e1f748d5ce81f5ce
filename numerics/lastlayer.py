"""Last-layer weight regularisation (003_*.txt §3.5, eq. 11), batched over K runs.

``orthogonality_penalty(W) = ‖WWᵀ − I‖_F²`` for (K, out, in) weights (rows pushed to an
orthonormal set; the source's L_reg).  ``train_encoder_projector`` trains K runs of an MLP encoder
(``numerics.content_style_train.init_mlp`` / ``forward``) with an optional MLP projector and the
InfoNCE of ``numerics.content_style_train.infonce``; per run a flag says whether the loss sees the
projector output or the encoder output (the projector of a run without it gets no gradient), and
a coefficient λ_k multiplies the penalty on the encoder's last layer:

    L_k = InfoNCE(z_k, z~_k) + λ_k ‖W_last,k W_last,kᵀ − I‖_F²,   z = proj(h) or h,  h = enc(x).

One Adam over all K runs (``numerics.engine.train_stacked``; the runs share no parameters, and Adam is
per-coordinate, so each run follows its own Adam trajectory).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sslverify.numerics.content_style_train import check_pools, forward, infonce_with_grad, paired_minibatch_stream
from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.engine import Guard, Optimizer, Record, Step, train_stacked
from sslverify.numerics.validation import check_nonnegative


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
                            record_every: int = 50, device: str = "cpu", dtype: str | None = None,
                            progress: bool = False) -> RegResult:
    """Adam on K stacked runs (``numerics.engine``); use_projector (K,) bool, lam (K,) ≥ 0; pools (K, P, d).

    Minibatches as in ``content_style_train.train`` (one generator ``seed`` shared by the K runs)."""
    check_pools(x_pool, xt_pool, batch, steps, lr)
    K = x_pool.shape[0]
    dt = resolve_dtype(dtype or x_pool.dtype)
    dev = resolve_device(device)
    use = torch.as_tensor(use_projector, dtype=torch.bool).reshape(-1)
    lam = torch.as_tensor(lam, dtype=dt).reshape(-1)
    if use.numel() != K or lam.numel() != K:
        raise ValueError(f"use_projector and lam must hold K={K} entries, got {use.numel()} and {lam.numel()}")
    for v in lam.tolist():
        check_nonnegative(v, "lam")
    use, lam = use.to(dev), lam.to(dev)
    tau = torch.as_tensor(tau, dtype=dt).to(dev)
    last = last_key(encoder)
    enc_keys, proj_keys = list(encoder), list(projector)
    draw = paired_minibatch_stream(x_pool.to(device=dev, dtype=dt), xt_pool.to(device=dev, dtype=dt), batch)
    all_on = bool(use.all())
    on = None if all_on or not bool(use.any()) else use.nonzero().squeeze(1)  # runs that train a projector

    def split(p):
        return {k: p["enc." + k] for k in enc_keys}, {k: p["proj." + k] for k in proj_keys}

    names = ["enc." + k for k in enc_keys] + ["proj." + k for k in proj_keys]

    def step(p, s, ctx):
        enc, proj = split(p)
        h = forward(enc, draw(ctx), slope)  # anchors, then positives
        if on is None:  # every run (or none) through its projector
            z = forward(proj, h, slope) if all_on else h
        else:  # only the runs that use one: the others' projectors get a zero gradient, as through torch.where
            sub = {k: v.index_select(0, on) for k, v in proj.items()}
            z = h.index_copy(0, on, forward(sub, h.index_select(0, on), slope))
        # the InfoNCE's N×N part in closed form (= ``infonce`` and its gradient to round-off); autograd only
        # through the networks, from ∂L/∂z, and through the penalty
        loss, gz, gzt = infonce_with_grad(z[:, :batch].detach(), z[:, batch:].detach(), tau, kind)  # (K,)
        pen = orthogonality_penalty(enc[last])
        gs = torch.autograd.grad([z, (lam * pen).sum()], [p[n] for n in names],
                                 grad_outputs=[torch.cat([gz, gzt], 1), None], allow_unused=True)
        return Step(loss + lam * pen.detach(), grads=dict(zip(names, gs)), values={"infonce": loss, "penalty": pen.detach()})

    def init(ctx):
        return {**{"enc." + k: v for k, v in encoder.items()}, **{"proj." + k: v for k, v in projector.items()}}

    hist = train_stacked(init, step, steps=steps, seeds=int(seed), optimizer=Optimizer("adam", lr=lr),
                         record=Record(every=record_every, offset=1), guard=Guard(worse="raise"), device=dev,
                         dtype=dt, flush_denormal=True, progress=progress, desc=f"train {K} encoder/projector runs")
    enc, proj = split({k: v.cpu() for k, v in hist.params.items()})
    return RegResult(enc, proj, hist.values["infonce"].double().numpy(), hist.values["penalty"].double().numpy(),
                     hist.steps - 1)
