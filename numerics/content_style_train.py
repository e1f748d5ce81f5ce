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
#: exponent floor of the closed-form InfoNCE (``infonce_with_grad``): e^{floor} is far below round-off of a
#: sum ≥ 1, and above the range where torch's vectorised exp falls back to a slow path (float32 < −87, float64 < −708)
EXP_FLOOR = {torch.float32: -80.0, torch.float64: -700.0}


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


def infonce_with_grad(z: torch.Tensor, zt: torch.Tensor, tau: torch.Tensor, kind: str = "gaussian"):
    """(L (K,), ∂L/∂z, ∂L/∂z~) of ``infonce`` (summed over K), in closed form, without an autograd graph.

    z, zt (K, N, d).  With a = z/√τ, b = z~/√τ (cosine: of the normalised ẑ, ẑ~), pos_i = s(a_i, b_i) and
    neg_ij = s(a_i, a_j) (j ≠ i), Z_i = e^{pos_i} + Σ_{j≠i} e^{neg_ij}, P_i = e^{pos_i}/Z_i, Q_ij = e^{neg_ij}/Z_i
    (Q_ii = 0) and L = (1/N) Σ_i (log Z_i − pos_i):
        Gaussian (s = −½|a − a'|²): N ∂L/∂a_i = (1 − P_i)(a_i − b_i) − (rowsum Q + colsum Q)_i a_i + ((Q + Qᵀ) a)_i,
                                    N ∂L/∂b_i = −(1 − P_i)(a_i − b_i);
        cosine   (s = a·a'):        N ∂L/∂a_i = (P_i − 1) b_i + ((Q + Qᵀ) a)_i,  N ∂L/∂b_i = (P_i − 1) a_i,
    then ∂/∂z = (∂/∂a)/√τ (cosine: through the normalisation, ∂/∂z = (g − (g·ẑ)ẑ)/‖z‖).  The row maximum is
    subtracted before exponentiating (as logsumexp does).  N×N passes: one bmm, max, exp, two bmm's of E with
    [a, 1] and [a/Z, 1/Z] (the autograd path of ``infonce``: about a dozen)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    tau = _check_tau(torch.as_tensor(tau, dtype=z.dtype, device=z.device))
    K, N, d = z.shape
    rt = tau.sqrt()
    if kind == "cosine":
        nz = z.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        nzt = zt.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        zn, ztn = z / nz, zt / nzt
        a, b = zn / rt, ztn / rt
        pos = (a * b).sum(-1)
        S = torch.bmm(a, a.transpose(1, 2))
    else:
        a, b = z / rt, zt / rt
        diff = a - b
        pos = -0.5 * (diff * diff).sum(-1)
        half = -0.5 * (a * a).sum(-1, keepdim=True)
        one = torch.ones_like(half)
        S = torch.bmm(torch.cat([a, half, one], -1), torch.cat([a, one, half], -1).transpose(1, 2))  # −½|a_i − a_j|²
    S.diagonal(dim1=1, dim2=2).fill_(float("-inf"))  # an anchor is not its own negative
    m = torch.maximum(S.amax(-1), pos)  # (K, N)
    # e^{neg_ij − m_i}; exponents below EXP_FLOOR are raised to it (torch's exp takes a slow scalar path far
    # below the underflow threshold): each such term is < e^{-80} ≈ 2e-35 against a row sum ≥ 1, below
    # round-off in either dtype; the diagonal is exactly 0
    floor = EXP_FLOOR[z.dtype] if z.dtype in EXP_FLOOR else -80.0
    S.sub_(m.unsqueeze(-1))
    # cosine: |a_i·a_j| ≤ 1/min τ (unit ẑ), so every exponent is ≥ −2/min τ (a 1 % margin for round-off); when that
    # is above the floor the clamp changes nothing and its N×N pass is skipped
    if not (kind == "cosine" and 2.02 / float(tau.min()) < -floor):
        S.clamp_min_(floor)
    E = S.exp_()
    E.diagonal(dim1=1, dim2=2).zero_()
    ep = (pos - m).exp()
    one = torch.ones(K, N, 1, dtype=z.dtype, device=z.device)
    rows = torch.bmm(E, torch.cat([a, one], -1))  # (E a, row sums)
    Z = rows[..., d] + ep
    loss = (Z.log() + m - pos).mean(-1)
    iz = 1.0 / Z
    P = ep * iz
    Qa = rows[..., :d] * iz.unsqueeze(-1)
    cols = torch.bmm(E.transpose(1, 2), torch.cat([a * iz.unsqueeze(-1), iz.unsqueeze(-1)], -1))  # (Qᵀ a, col sums)
    QTa = cols[..., :d]
    if kind == "cosine":
        ga = ((P - 1).unsqueeze(-1) * b + Qa + QTa) / N
        gb = (P - 1).unsqueeze(-1) * a / N
        gzn, gztn = ga / rt, gb / rt
        gz = (gzn - (gzn * zn).sum(-1, keepdim=True) * zn) / nz
        gzt = (gztn - (gztn * ztn).sum(-1, keepdim=True) * ztn) / nzt
    else:
        w = (1 - P).unsqueeze(-1) * diff
        rs = (1 - P) + cols[..., d]  # row sums of Q (= 1 − P) + column sums of Q
        ga = (w - rs.unsqueeze(-1) * a + Qa + QTa) / N
        gz, gzt = ga / rt, -w / (N * rt)
    return loss, gz, gzt


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
        if f"b{l}" in params:  # the bias inside the GEMM: the same numbers as bmm + bias (checked), one pass less
            h = torch.baddbmm(params[f"b{l}"].unsqueeze(1), h, params[f"W{l}"].transpose(1, 2))
        else:
            h = torch.bmm(h, params[f"W{l}"].transpose(1, 2))
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
    draw2 = paired_minibatch_stream(x_pool, xt_pool, batch)

    def draw(ctx):
        both = draw2(ctx)
        return both[:, :batch], both[:, batch:]

    return draw


def paired_minibatch_stream(x_pool: torch.Tensor, xt_pool: torch.Tensor, batch: int):
    """As :func:`minibatch_stream` (the same indices from the same generator call), but one (K, 2·batch, d) tensor:
    the anchors, then their positives (what a network evaluates in one pass); one ``index_select`` from the
    flattened pools (a copy of the same rows as ``x_pool[k, idx]``, ~3x faster than advanced indexing)."""
    K, P, d = x_pool.shape
    flat, flat_t = x_pool.reshape(K * P, d), xt_pool.reshape(K * P, d)  # views of contiguous pools
    offset = (torch.arange(K) * P).unsqueeze(1)  # (K, 1): run k's rows start at k·P

    def draw(ctx):
        rows = (torch.randint(0, P, (K, batch), generator=ctx.gens[0]) + offset).reshape(-1).to(x_pool.device)
        return torch.cat([flat.index_select(0, rows).view(K, batch, d), flat_t.index_select(0, rows).view(K, batch, d)], 1)

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
    draw = paired_minibatch_stream(x_pool.to(device=dev, dtype=dt), xt_pool.to(device=dev, dtype=dt), batch)

    linear = set(params) == {"W0"} and not normalize  # z = x W0ᵀ: ∂L/∂W0 in closed form, no graph at all
    names = list(params)

    def step(p, s, ctx):
        xx = draw(ctx)  # (K, 2B, d): anchors, then positives
        B = batch
        if linear:
            W = p["W0"]
            zz = torch.bmm(xx, W.transpose(1, 2))
            loss, gz, gzt = infonce_with_grad(zz[:, :B], zz[:, B:], tau, kind)
            return Step(loss, grads={"W0": torch.bmm(torch.cat([gz, gzt], 1).transpose(1, 2), xx)})
        zz = forward(p, xx, slope, normalize)  # anchors and positives in one pass
        loss, gz, gzt = infonce_with_grad(zz[:, :B].detach(), zz[:, B:].detach(), tau, kind)
        # the InfoNCE's N×N part in closed form; autograd only through the network (from ∂L/∂z)
        gs = torch.autograd.grad(zz, [p[n] for n in names], grad_outputs=torch.cat([gz, gzt], 1), allow_unused=True)
        return Step(loss, grads=dict(zip(names, gs)))  # (K,)

    hist = train_stacked(lambda ctx: params, step, steps=steps, seeds=int(seed), optimizer=Optimizer("adam", lr=lr),
                         record=Record(every=record_every, offset=1), guard=Guard(worse="raise"), device=dev,
                         dtype=dt, autograd=not linear, flush_denormal=True, progress=progress,
                         desc=f"train {x_pool.shape[0]} encoders ({kind})")
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
