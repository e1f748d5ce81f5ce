"""Benchmark: weighted-InfoNCE training of the linear model, two ways, same machine, same run.

(a) reference: how the sources' code trains -- one configuration after another, an
    eager PyTorch loop per configuration (nn.Linear weight, torch.optim.Adam, the loss
    written naively with pairwise differences ((f[:, None] - g[None])**2).sum(-1) and a
    Python-level log-sum-exp).
(b) project: numerics.trainer.train_batch on the training engine (numerics.engine) -- all K
    configurations as one batched tensor program; for weighted InfoNCE the loss and ∂L/∂W in closed
    form without an autograd graph (``trainer._Batch.infonce_step``: one bmm of augmented features
    gives −½|f_i − f'_j|², then exp and two bmm's), augmentation noise drawn per configuration straight
    into one buffer.

Both sides: float32, CPU, the same thread count (default 1: on a shared 2-core box,
OpenMP spin-waiting makes 2 threads slower than 1), same N, d, steps, lr, α, σ.
Times are process CPU seconds (time.process_time): with one compute thread this is
the wall time the run would take on an idle core, and it does not charge either side
for time the OS gave to other processes on a shared machine; wall times are printed
alongside.
The reference runs configurations strictly one after another, each with identical
shapes and step count, so its time is linear in K: to stay within the time budget it
is timed on a subset of the K configurations and scaled by K / subset (printed).

(c) peer: the same sweep in JAX the way a JAX user writes it (jit(vmap(...)), lax.scan over steps,
    optax.adam; ``benchmarks/jax_peer.py``), run in a subprocess with the same thread budget (pinned to
    that many cores: XLA sizes its pool by the cores it may use); its compile time is reported apart and
    not charged.  Skipped with a message when JAX is absent
    (``pip install jax optax``).
(d) roofline: the time the step's matmuls would take at the GEMM rate measured here (a large
    float32 torch.matmul) plus the time its N×N exponentials would take at the measured
    ``torch.exp`` rate; the trainer's time is reported as a fraction of it (1.0 = at the limit).
(e) ``torch.compile`` of the loss+gradient step, where it helps (reported, not used by default).

Workloads: small (K=256, N=64, d=8, 200 steps), large (K=64, N=256, d=32, 100 steps).
The last printed lines are ``speedup_small``, ``speedup_large`` (reference / ours), ``vs_jax_small``,
``vs_jax_large`` (JAX CPU time / ours: > 1 means faster than the JAX peer), ``roofline_fraction_small``
and ``roofline_fraction_large`` (roofline time / ours).

    python benchmarks/bench_sweep.py [--threads 1] [--ref-small 32] [--ref-large 6] [--no-jax] [--no-compile]

``--device cuda`` (a GPU machine; ``benchmarks/gpu_check.sh``): the trainer alone on the GPU, float32 and
float64, the two workloads and a GPU-sized one (K=1024, N=256, d=32), wall seconds after
``torch.cuda.synchronize``; the last lines are ``cuda_<workload>_<dtype>_s``.
"""
from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np
import torch
from torch import nn

from sslverify.numerics import losses, trainer
from sslverify.numerics.trainer import LinearProblem, TrainSettings, train_batch

SIGMA = 0.5  # augmentation C = σ² I
ALPHA = 0.5
LR = 1e-3
WORKLOADS = {"small": dict(K=256, N=64, d=8, steps=200), "large": dict(K=64, N=256, d=32, steps=100)}


def reference_loss(f: torch.Tensor, g: torch.Tensor, alpha: float) -> torch.Tensor:
    """Weighted InfoNCE (eq. 3) as typical research code writes it."""
    n = f.shape[0]
    dist = ((f[:, None] - g[None]) ** 2).sum(-1)  # (N, N) pairwise squared distances
    k = -0.5 * dist
    pos = torch.diagonal(k)
    eye = torch.eye(n, dtype=f.dtype)
    weights = (1 - eye) + alpha * eye
    m = k.max(dim=1, keepdim=True).values.detach()
    lse = m.squeeze(1) + torch.log((weights * torch.exp(k - m)).sum(1))
    return (-pos + lse).mean()


def project_loss_one(f: torch.Tensor, g: torch.Tensor, alpha: float) -> torch.Tensor:
    """The project's fused loss on one configuration (for attributing the gain)."""
    return losses.weighted_infonce(f[None], g[None], alpha, fused=True)[0]


def reference_train_one(X: torch.Tensor, d1: int, steps: int, seed: int, loss_fn=reference_loss) -> torch.Tensor:
    torch.manual_seed(seed)
    lin = nn.Linear(X.shape[1], d1, bias=False)
    opt = torch.optim.Adam(lin.parameters(), lr=LR)
    for _ in range(steps):
        x1 = X + SIGMA * torch.randn_like(X)
        x2 = X + SIGMA * torch.randn_like(X)
        loss = loss_fn(lin(x1), lin(x2), ALPHA)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return lin.weight.detach()


def problems(K: int, N: int, d: int) -> list[LinearProblem]:
    return [LinearProblem(A0=np.eye(d), C=SIGMA**2 * np.eye(d), d1=d, n=N, alpha=ALPHA, seed=k) for k in range(K)]


def settings(steps: int, device: str = "cpu", dtype: str = "float32") -> TrainSettings:
    return TrainSettings(loss="weighted_infonce", steps=steps, lr=LR, dtype=dtype, device=device,
                         progress=False, record_every=steps)


def main_cuda() -> None:
    """The trainer on the GPU (wall seconds, synchronized), float32 and float64."""
    if not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no GPU here")
    print(f"CUDA: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    work = dict(WORKLOADS, gpu=dict(K=1024, N=256, d=32, steps=100))
    out = {}
    for dtype in ("float32", "float64"):
        for name, w in work.items():
            K, N, d, steps = w["K"], w["N"], w["d"], w["steps"]
            probs = problems(K, N, d)
            train_batch(probs[:2], settings(3, "cuda", dtype))  # warm-up (context, kernels)
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            res = train_batch(probs, settings(steps, "cuda", dtype))
            torch.cuda.synchronize()
            out[f"cuda_{name}_{dtype}_s"] = sec = time.perf_counter() - t0
            if not np.isfinite(res.loss_history).all():
                raise RuntimeError("training on CUDA diverged")
            print(f"{name} ({dtype}): K={K} N={N} d={d} steps={steps}: {sec:.3f} s wall "
                  f"({1e3 * sec / steps:.2f} ms/step; noise drawn on the CPU: same numbers as a CPU run)")
    for k, v in out.items():
        print(f"{k}: {v:.3f}")


def time_reference(K: int, N: int, d: int, steps: int, subset: int, loss_fn=reference_loss) -> tuple[float, float, int]:
    subset = min(subset, K)
    rng = np.random.default_rng(0)
    data = [torch.as_tensor(rng.standard_normal((N, d)), dtype=torch.float32) for _ in range(subset)]
    reference_train_one(data[0], d, 3, 0)  # warm-up (allocator, kernels)
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(subset):
        W = reference_train_one(data[k], d, steps, k, loss_fn)
        if not torch.isfinite(W).all():
            raise RuntimeError("reference training diverged")
    scale = K / subset
    return (time.process_time() - c0) * scale, (time.perf_counter() - t0) * scale, subset


def time_project(K: int, N: int, d: int, steps: int) -> tuple[float, float]:
    probs = problems(K, N, d)
    train_batch(probs[:2], settings(3))  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    res = train_batch(probs, settings(steps))
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    if not np.isfinite(res.loss_history).all():
        raise RuntimeError("project training diverged")
    return cpu, wall


def matmul_flops_per_step(K: int, N: int, d0: int, d1: int) -> float:
    """Matmul FLOPs of one training step of (b): forward features 2·(2KN d0 d1), logits
    baddbmm 2KN²d1; backward G f(x') and Gᵀ f(x) 2·(2KN²d1), ∂W 2·(2KN d0 d1)."""
    return 6.0 * K * N * N * d1 + 8.0 * K * N * d0 * d1


def exp_flops_per_step(K: int, N: int) -> float:
    """N×N exponentials of one step of (b): one exp per logit in the forward (the backward reuses them)."""
    return float(K * N * N)


def exp_rate(n: int = 1 << 22, reps: int = 5) -> float:
    """Measured torch.exp throughput (elements / CPU second) on a large float32 tensor."""
    a = torch.randn(n) * 4 - 8
    out = torch.empty_like(a)
    torch.exp(a, out=out)
    best = float("inf")
    for _ in range(reps):
        c0 = time.process_time()
        torch.exp(a, out=out)
        best = min(best, time.process_time() - c0)
    return n / best


def roofline_seconds(K: int, N: int, d: int, steps: int, gemm: float, exp: float) -> float:
    """Lower bound on the sweep's time: matmul FLOPs at the GEMM rate + exponentials at the exp rate."""
    return steps * (matmul_flops_per_step(K, N, d, d) / gemm + exp_flops_per_step(K, N) / exp)


def time_jax(K: int, N: int, d: int, steps: int, threads: int) -> dict:
    """Run benchmarks/jax_peer.py in a subprocess (its own XLA thread limit); {} with 'error' when absent."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("jax_peer.py")
    cmd = [sys.executable, str(script), "--K", str(K), "--N", str(N), "--d", str(d), "--steps", str(steps),
           "--threads", str(threads), "--lr", str(LR), "--alpha", str(ALPHA), "--sigma", str(SIGMA)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"JAX peer failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}"}
    return json.loads(lines[-1])


def time_compiled(K: int, N: int, d: int, steps: int = 20) -> tuple[float, float] | None:
    """(eager, compiled) CPU seconds per step of the autograd loss+gradient of one batch; None if compile fails."""
    batch = trainer._Batch(problems(K, N, d), settings(steps))
    W0 = batch.init_weights([torch.Generator().manual_seed(k) for k in range(K)])["W"].float()

    def step(W, X, e1, e2, alpha, mask):
        f = (X + e1) @ W.transpose(1, 2)
        g = (X + e2) @ W.transpose(1, 2)
        loss = losses.weighted_infonce(f, g, alpha, mask, fused=False).sum()
        return torch.autograd.grad(loss, W)[0]

    noise = [batch.noise() for _ in range(steps)]
    W = W0.clone().requires_grad_(True)
    out = []
    for fn in (step, None):
        if fn is None:
            try:
                fn = torch.compile(step, dynamic=False)
                fn(W, batch.X, *noise[0], batch.alpha, batch.mask)  # compile outside the timing
            except Exception:  # no compiler toolchain: report, do not fail the benchmark
                return None
        else:
            fn(W, batch.X, *noise[0], batch.alpha, batch.mask)
        c0 = time.process_time()
        for e1, e2 in noise:
            fn(W, batch.X, e1, e2, batch.alpha, batch.mask)
        out.append((time.process_time() - c0) / steps)
    return out[0], out[1]


def gemm_peak(n: int = 2048, reps: int = 5) -> float:
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.matmul(a, b)
    best = float("inf")
    for _ in range(reps):
        c0 = time.process_time()
        torch.matmul(a, b)
        best = min(best, time.process_time() - c0)
    return 2.0 * n**3 / best


def check_same_loss() -> float:
    """The reference loss and the project's (plain and fused) agree on the same features."""
    g = torch.Generator().manual_seed(1)
    f, h = torch.randn(2, 32, 4, generator=g, dtype=torch.float64)
    ref = reference_loss(f, h, ALPHA)
    plain = losses.weighted_infonce(f[None], h[None], ALPHA)[0]
    fused = losses.weighted_infonce(f[None], h[None], ALPHA, fused=True)[0]
    return float(max(abs(ref - plain), abs(ref - fused)))


def noise_per_step(K: int, N: int, d: int, steps: int = 100) -> float:
    batch = trainer._Batch(problems(K, N, d), settings(steps))
    batch.init_weights([torch.Generator().manual_seed(k) for k in range(K)])
    c0 = time.process_time()
    for _ in range(steps):
        batch.input_slab()
    return (time.process_time() - c0) / steps


def per_step_paths(K: int, N: int, d: int, steps: int = 10) -> tuple[float, float, float]:
    """Attribution: the trainer with autograd of the plain loss, autograd of the fused loss (closed-form
    backward of the loss only), and the closed-form ∂L/∂W path (per step)."""
    probs = problems(K, N, d)
    out = []
    plain = losses.weighted_infonce
    for path in ("plain", "fused", "closed"):
        f = (lambda fx, fxp, a, m=None, fused=False: plain(fx, fxp, a, m, fused=False)) if path == "plain" else plain
        with mock.patch.object(trainer.losses, "weighted_infonce", f):
            c0 = time.process_time()
            train_batch(probs, settings(steps), closed_form=(path == "closed"))
            out.append((time.process_time() - c0) / steps)
    return out[0], out[1], out[2]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ref-small", type=int, default=32, help="configurations of the small workload timed for (a)")
    ap.add_argument("--ref-large", type=int, default=6, help="configurations of the large workload timed for (a)")
    ap.add_argument("--no-jax", action="store_true", help="skip the JAX peer")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variant")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="cuda: the trainer on the GPU only")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.device == "cuda":
        main_cuda()
        return
    print(f"float32, CPU, torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    print(f"reference vs project loss on the same features: max |diff| = {check_same_loss():.2e} (float64)")
    speed = {}
    for name, w in WORKLOADS.items():
        K, N, d, steps = w["K"], w["N"], w["d"], w["steps"]
        t_ref, w_ref, sub = time_reference(K, N, d, steps, args.ref_small if name == "small" else args.ref_large)
        t_proj, w_proj = time_project(K, N, d, steps)
        t_one, _, _ = time_reference(K, N, d, steps, args.ref_small if name == "small" else args.ref_large,
                                     project_loss_one)
        speed[name] = (t_ref / t_proj, t_proj)
        print(f"{name}: K={K} N={N} d={d} steps={steps}: (a) reference {t_ref:.2f} s CPU ({w_ref:.2f} s wall; "
              f"timed {sub}/{K} configs, scaled x{K / sub:.1f}), (b) train_batch {t_proj:.2f} s CPU ({w_proj:.2f} s wall)")
        print(f"  attribution: loop of (a) with the project's fused loss instead of the naive one {t_one:.2f} s CPU: "
              f"loss formulation x{t_ref / t_one:.2f}, batching the K configurations x{t_one / t_proj:.2f}")
    draws = {}  # CPU s per step drawing x̂ + ε, x̂ + ε' from the runs' own generators (mt19937, normal_)
    for name, w in WORKLOADS.items():
        draws[name] = noise_per_step(w["K"], w["N"], w["d"])
        print(f"{name}, augmentation sampling (trainer's per-config generators): {1e3 * draws[name]:.2f} ms "
              f"CPU per step of {1e3 * speed[name][1] / w['steps']:.2f} ms")
    K, N, d, steps = (WORKLOADS["large"][k] for k in ("K", "N", "d", "steps"))
    p_plain, p_fused, p_closed = per_step_paths(K, N, d)
    print(f"large, trainer per step: autograd of the plain loss {1e3 * p_plain:.1f} ms, of the fused loss "
          f"{1e3 * p_fused:.1f} ms, closed-form ∂L/∂W {1e3 * p_closed:.1f} ms (x{p_plain / p_closed:.2f})")
    peak, erate = gemm_peak(), exp_rate()
    achieved = matmul_flops_per_step(K, N, d, d) * steps / speed["large"][1]
    print(f"GEMM rate (2048^3 float32 matmul): {peak / 1e9:.1f} GFLOP/s; exp rate: {erate / 1e9:.2f} Gexp/s; "
          f"(b) large achieved {achieved / 1e9:.2f} GFLOP/s in matmuls")
    roof, vs_jax = {}, {}
    for name, w in WORKLOADS.items():
        K, N, d, steps = w["K"], w["N"], w["d"], w["steps"]
        r = roofline_seconds(K, N, d, steps, peak, erate)
        roof[name] = r / speed[name][1]
        print(f"{name}: roofline {r:.3f} s (matmuls {steps * matmul_flops_per_step(K, N, d, d) / peak:.3f} s + "
              f"exps {steps * exp_flops_per_step(K, N) / erate:.3f} s) vs train_batch {speed[name][1]:.3f} s CPU")
        # the roofline leaves out the augmentation draws, which the trainer must make (same seeded streams as
        # every recorded run): with them as measured above, the bound and the fraction the trainer reaches
        rd = r + steps * draws[name]
        print(f"{name}: roofline + augmentation draws {rd:.3f} s: fraction {rd / speed[name][1]:.3f}; the draws "
              f"alone are {steps * draws[name] / r:.2f}x the roofline")
        if not args.no_jax:
            j = time_jax(K, N, d, steps, args.threads)
            if "error" in j:
                print(f"{name}: {j['error']}")
            else:
                vs_jax[name] = j["run_cpu"] / speed[name][1]
                print(f"{name}: JAX {j['jax']} run {j['run_cpu']:.2f} s CPU ({j['run_wall']:.2f} s wall; compile "
                      f"{j['compile_cpu']:.2f} s not charged), final loss {j['final_loss']:.4f}")
        if not args.no_compile:
            c = time_compiled(K, N, d)
            if c is None:
                print(f"{name}: torch.compile unavailable here")
            else:
                print(f"{name}: loss+grad step eager {1e3 * c[0]:.2f} ms, torch.compile {1e3 * c[1]:.2f} ms "
                      f"(x{c[0] / c[1]:.2f})")
    print(f"speedup_small: {speed['small'][0]:.2f}")
    print(f"speedup_large: {speed['large'][0]:.2f}")
    for name in WORKLOADS:
        print(f"vs_jax_{name}: " + (f"{vs_jax[name]:.2f}" if name in vs_jax else "skipped (JAX absent)"))
    print(f"roofline_fraction_small: {roof['small']:.3f}")
    print(f"roofline_fraction_large: {roof['large']:.3f}")


if __name__ == "__main__":
    main()
