"""Encoders, the per-dimension-temperature InfoNCE of Rusak eq. 1/eq. 4, a batched trainer, R².

Loss convention (Rusak eq. 4 with ONE sum over anchors, averaged; M = N − 1 negatives, the
other anchors of the batch; gradient flows through anchors, positives and negatives):

    s(u, v) = −Σ_k (u_k − v_k)² / (2 τ_k)          kind="gaussian" (squared-ℓ2 kernel, box)
    s(u, v) =  Σ_k û_k v̂_k / τ_k, û = u/‖u‖       kind="cosine"   (sphere)
    ℓ_i = −s(z_i, z~_i) + log(e^{s(z_i, z~_i)} + Σ_{j≠i} e^{s(z_i, z_j)}),
    L_align = mean_i −s(z_i, z~_i),  L_uniform = mean_i log(…),  L_CL = L_align + L_uniform.

``tau`` is a length-d tensor (τ_c on the first d_c output dims, τ_s on the rest).  The source's
literal eq. 4 has a second, redundant Σ_{j≠i} outside the log; it multiplies L by M
(``theory.rusak.algebra.loss_at_zero`` treats that convention).

Everything is batched over a leading K (seeds × configurations): weights are (K, out, in)
tensors applied with ``torch.bmm``; ``train`` hands the model, the loss and the minibatch stream to
``numerics.engine.train_stacked`` (one Adam step updates all K runs at once).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.engine import Guard, Optimizer, Record, Step, train_stacked
from sslverify.numerics.validation import check_int, check_positive

KINDS = ("gaussian", "cosine")


def temperatures(d: int, d_c: int, tau_c: float, tau_s: float, dtype=torch.float64) -> torch.Tensor:
    """Per-dimension temperatures (τ_c × d_c, τ_s × (d − d_c)); both must be > 0."""
    check_positive(tau_c, "tau_c")
    check_positive(tau_s, "tau_s")
    if not 0 <= d_c <= d:
        raise ValueError(f"d_c must lie in [0, d={d}], got {d_c}")
    return torch.tensor([tau_c] * d_c + [tau_s] * (d - d_c), dtype=dtype)


def _check_tau(tau: torch.Tensor) -> torch.Tensor:
    if not bool(torch.all(tau > 0)):
        raise ValueError(f"tau must be > 0 in every dimension, got {tau.tolist()}")
    return tau


def infonce_parts(z: torch.Tensor, zt: torch.Tensor, tau: torch.Tensor, kind: str = "gaussian"):
    """(L_align, L_uniform) averaged over anchors; z, zt (..., N, d); tau (d,) or (..., 1, d)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    tau = _check_tau(torch.as_tensor(tau, dtype=z.dtype))
    if kind == "gaussian":
        pos = -(((z - zt) ** 2) / (2 * tau)).sum(-1)  # (..., N)
        zw = z / tau.sqrt()
        sq = (zw * zw).sum(-1)
        neg = -0.5 * (sq.unsqueeze(-1) + sq.unsqueeze(-2) - 2 * zw @ zw.transpose(-1, -2))  # (..., N, N)
    else:
        zn = z / z.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        ztn = zt / zt.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        pos = (zn * ztn / tau).sum(-1)
        neg = (zn / tau) @ zn.transpose(-1, -2)
    n = z.shape[-2]
    eye = torch.eye(n, dtype=torch.bool, device=z.device)
    neg = neg.masked_fill(eye, float("-inf"))
    logits = torch.cat([pos.unsqueeze(-1), neg], dim=-1)  # (..., N, 1 + N) with the diagonal masked
    uniform = torch.logsumexp(logits, dim=-1)
    return (-pos).mean(-1), uniform.mean(-1)


def infonce(z, zt, tau, kind="gaussian") -> torch.Tensor:
    a, u = infonce_parts(z, zt, tau, kind)
    return a + u


# ----------------------------------------------------------------------------- encoders
def init_linear(K: int, d: int, seed: int, scale: float = 1.0, dtype=torch.float64) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {"W0": torch.randn(K, d, d, generator=g, dtype=dtype) * scale / np.sqrt(d)}


def init_mlp(K: int, d: int, depth: int, seed: int, width: int | None = None, dtype=torch.float64) -> dict:
    """depth square-ish layers (He init), biases zero; W{l} (K, out, in), b{l} (K, out)."""
    check_int(depth, "depth", 1)
    width = width or d
    g = torch.Generator().manual_seed(seed)
    p = {}
    dims = [d] + [width] * (depth - 1) + [d]
    for l in range(depth):
        p[f"W{l}"] = torch.randn(K, dims[l + 1], dims[l], generator=g, dtype=dtype) * np.sqrt(2.0 / dims[l])
        p[f"b{l}"] = torch.zeros(K, dims[l + 1], dtype=dtype)
    return p


def forward(params: dict, x: torch.Tensor, slope: float = 0.01, normalize: bool = False,
            return_all: bool = False):
    """x (K, N, d_in) -> z (K, N, d_out); linear if the params hold no biases.

    return_all: also the list of intermediate activations (after each hidden nonlinearity,
    and the output), for per-layer R².
    """
    depth = sum(1 for k in params if k.startswith("W"))
    h, acts = x, []
    for l in range(depth):
        h = torch.bmm(h, params[f"W{l}"].transpose(1, 2))
        if f"b{l}" in params:
            h = h + params[f"b{l}"].unsqueeze(1)
        if l < depth - 1:
            h = torch.nn.functional.leaky_relu(h, slope)
        acts.append(h)
    if normalize:
        h = h / h.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        acts[-1] = h
    return (h, acts) if return_all else h


@dataclass
class TrainResult:
    params: dict
    loss_history: np.ndarray  # (R, K) L_CL on the training batches
    steps: np.ndarray


def minibatch_stream(x_pool: torch.Tensor, xt_pool: torch.Tensor, batch: int):
    """Every step a fresh minibatch of pairs per run, indices drawn from the batch's generator (shared by
    the K runs: ``torch.randint(0, P, (K, batch))``); pools (K, P, d) on the engine's device."""
    K, P, _ = x_pool.shape
    ar = torch.arange(K, device=x_pool.device).unsqueeze(1)

    def draw(ctx):
        idx = torch.randint(0, P, (K, batch), generator=ctx.gens[0]).to(x_pool.device)
        return x_pool[ar, idx], xt_pool[ar, idx]

    return draw


def check_pools(x_pool: torch.Tensor, xt_pool: torch.Tensor, batch: int, steps: int, lr: float) -> None:
    check_int(steps, "steps", 1)
    check_int(batch, "batch", 2)
    check_positive(lr, "lr")
    if x_pool.dim() != 3 or xt_pool.shape != x_pool.shape:
        raise ValueError(f"x_pool and xt_pool must be (K, P, d) of one shape, got {tuple(x_pool.shape)} and "
                         f"{tuple(xt_pool.shape)}")
    if batch > x_pool.shape[1]:
        raise ValueError(f"batch must be <= pool size {x_pool.shape[1]}, got {batch}")


def train(params: dict, x_pool: torch.Tensor, xt_pool: torch.Tensor, tau: torch.Tensor, kind: str = "gaussian",
          steps: int = 1000, batch: int = 256, lr: float = 1e-3, seed: int = 0, normalize: bool = False,
          slope: float = 0.01, record_every: int = 50, device: str = "cpu", dtype: str | None = None,
          progress: bool = False) -> TrainResult:
    """Adam on the K stacked runs (``numerics.engine``); every step draws a fresh minibatch of pairs from the pools.

    x_pool, xt_pool: (K, P, d) observation pairs; tau: (d,) or (K, 1, d) per-dim temperatures.  The
    minibatch indices come from one generator (``seed``) shared by the K runs.  ``dtype``: None = the
    pools' dtype.  Records: the loss at the 0-based steps t ≡ 0 mod record_every and the last one
    (the loss of the minibatch at the parameters before update t).
    """
    check_pools(x_pool, xt_pool, batch, steps, lr)
    dt = resolve_dtype(dtype or x_pool.dtype)
    dev = resolve_device(device)
    tau = _check_tau(torch.as_tensor(tau, dtype=dt)).to(dev)
    draw = minibatch_stream(x_pool.to(device=dev, dtype=dt), xt_pool.to(device=dev, dtype=dt), batch)

    def step(p, s, ctx):
        xb, xtb = draw(ctx)
        z = forward(p, xb, slope, normalize)
        zt = forward(p, xtb, slope, normalize)
        return Step(infonce(z, zt, tau, kind))  # (K,)

    hist = train_stacked(lambda ctx: params, step, steps=steps, seeds=int(seed), optimizer=Optimizer("adam", lr=lr),
                         record=Record(every=record_every, offset=1), guard=Guard(worse="raise"), device=dev,
                         dtype=dt, progress=progress, desc=f"train {x_pool.shape[0]} encoders ({kind})")
    return TrainResult({k: v.cpu() for k, v in hist.params.items()}, hist.loss, hist.steps - 1)


# ----------------------------------------------------------------------------- metrics
def adjusted_r2(h: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Adjusted R² of the least-squares affine map h -> z_k, for each latent k.

    h (K, n, p), z (K, n, d) -> (K, d).  R²_adj = 1 − (1 − R²)(n − 1)/(n − p − 1).
    """
    K, n, p = h.shape
    if n <= p + 1:
        raise ValueError(f"need more samples than features + 1 for adjusted R², got n={n}, p={p}")
    X = torch.cat([h, torch.ones(K, n, 1, dtype=h.dtype, device=h.device)], dim=-1)
    coef = torch.linalg.lstsq(X, z).solution
    resid = z - X @ coef
    ss_res = (resid**2).sum(1)
    ss_tot = ((z - z.mean(1, keepdim=True)) ** 2).sum(1)
    r2 = 1 - ss_res / ss_tot
    return 1 - (1 - r2) * (n - 1) / (n - p - 1)


def singular_values(W: torch.Tensor) -> torch.Tensor:
    """Singular values of (K, m, n) weights, descending."""
    return torch.linalg.svdvals(W)
