"""The JAX peer of the batched trainer: the same sweep written the way a JAX user would.

K weighted-InfoNCE trainings of the linear model f = Wx (eq. 3 of Ziyin et al.): ``jax.vmap`` over
the configurations, ``jax.lax.scan`` over the steps, ``optax.adam``, the whole sweep under one
``jax.jit``; the loss uses the matmul form of the pairwise distances and ``logsumexp`` with weights
(what a competent JAX user writes; the naive pairwise-difference tensor would be much slower).
Same data model, sizes, lr, α, σ and float32 as ``bench_sweep.py``'s workloads.

Run by ``bench_sweep.py`` in a subprocess, so that the process can be pinned to ``--threads`` cores before
JAX is imported (XLA sizes its thread pool by the cores it may use); prints one JSON line: compile and run
times (CPU seconds of this process and wall seconds), the cores it ran on and the final mean loss.

    python benchmarks/jax_peer.py --K 256 --N 64 --d 8 --steps 200 --threads 1
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", type=int, required=True)
    ap.add_argument("--N", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--sigma", type=float, default=0.5)
    ap.add_argument("--init-scale", type=float, default=0.1)
    args = ap.parse_args(argv)
    # The thread budget: XLA's CPU client starts a thread pool of one thread per core it may use, whatever
    # its flags say (measured: --threads 1 under XLA_FLAGS alone still used 1.5 cores, 1.77 s CPU for 1.17 s
    # wall), so the process is pinned to `threads` cores before JAX is imported; Eigen's own pool is off at 1.
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cores and args.threads < len(cores):
        os.sched_setaffinity(0, set(cores[: args.threads]))
    if args.threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError as exc:
        print(json.dumps({"error": f"JAX peer skipped: {exc} (pip install jax optax)"}))
        return 0

    K, N, d, steps, alpha, sigma = args.K, args.N, args.d, args.steps, args.alpha, args.sigma
    key = jax.random.PRNGKey(0)
    kx, kw, ks = jax.random.split(key, 3)
    X = jax.random.normal(kx, (K, N, d), dtype=jnp.float32)  # fixed data set per configuration (A0 = I)
    W0 = args.init_scale / jnp.sqrt(d) * jax.random.normal(kw, (K, d, d), dtype=jnp.float32)
    keys = jax.random.split(ks, K)
    weights = (1.0 - jnp.eye(N, dtype=jnp.float32)) + alpha * jnp.eye(N, dtype=jnp.float32)
    opt = optax.adam(args.lr)

    def loss_fn(W, x1, x2):
        f, g = x1 @ W.T, x2 @ W.T
        k = f @ g.T - 0.5 * jnp.sum(f * f, 1)[:, None] - 0.5 * jnp.sum(g * g, 1)[None, :]
        return jnp.mean(-jnp.diagonal(k) + jax.nn.logsumexp(k, axis=1, b=weights))

    def train_one(W, x, key):
        def step(carry, _):
            W, state, key = carry
            key, k1, k2 = jax.random.split(key, 3)
            x1 = x + sigma * jax.random.normal(k1, x.shape, dtype=x.dtype)
            x2 = x + sigma * jax.random.normal(k2, x.shape, dtype=x.dtype)
            loss, grad = jax.value_and_grad(loss_fn)(W, x1, x2)
            upd, state = opt.update(grad, state, W)
            return (optax.apply_updates(W, upd), state, key), loss

        (W, _, _), losses = jax.lax.scan(step, (W, opt.init(W), key), None, length=steps)
        return W, losses[-1]

    sweep = jax.jit(jax.vmap(train_one))
    c0, t0 = time.process_time(), time.perf_counter()
    compiled = sweep.lower(W0, X, keys).compile()
    compile_cpu, compile_wall = time.process_time() - c0, time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    W, last = compiled(W0, X, keys)
    W.block_until_ready()
    run_cpu, run_wall = time.process_time() - c0, time.perf_counter() - t0
    print(json.dumps({"jax": jax.__version__, "K": K, "N": N, "d": d, "steps": steps, "threads": args.threads,
                      "compile_cpu": compile_cpu, "compile_wall": compile_wall, "run_cpu": run_cpu,
                      "run_wall": run_wall, "cores": len(os.sched_getaffinity(0)) if cores else None,
                      "final_loss": float(jnp.mean(last)),
                      "finite": bool(jnp.all(jnp.isfinite(W)))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
