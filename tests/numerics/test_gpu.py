"""CUDA: the engine and one experiment per family give the CPU's numbers (marker ``gpu``).

Skipped where torch sees no GPU (``pytest -m gpu`` collects them everywhere; ``benchmarks/gpu_check.sh``
runs them with the benchmark on a GPU machine).  Randomness is drawn on the CPU whatever the device
(numerics.device), so a CUDA run sees the same initialisation, data and noise as a CPU run and differs
only by the kernels' arithmetic: float64 round-off (~1e-16 relative per operation, other summation
orders) amplified by the few hundred optimizer steps of these runs.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from sslverify.experiments import run_experiment
from sslverify.numerics.data import isotropic_noise
from sslverify.numerics.device import resolve_device
from sslverify.numerics.tolerance import TABLE, assert_rel_close
from sslverify.numerics.trainer import LinearProblem, TrainSettings, train_batch

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]

ENGINE_RTOL = TABLE["cuda_vs_cpu_engine_float64"].value  # reasons in numerics/tolerance.py TABLE
EXPERIMENT_RTOL = TABLE["cuda_vs_cpu_experiment_float64"].value


def _problems() -> list[LinearProblem]:
    base = dict(A0=np.diag([1.0, 0.5, 0.2]), C=isotropic_noise(3, 0.3), d1=2)
    return [LinearProblem(**base, n=6, seed=1, alpha=0.0), LinearProblem(**base, n=6, alpha=0.3, seed=2, gamma=0.1),
            LinearProblem(**base, n=6, seed=3, kappa=0.5, c_norm=2.0), LinearProblem(**base, n=9, seed=4)]


def test_auto_picks_cuda():
    assert resolve_device("auto").type == "cuda"


@pytest.mark.parametrize("loss", ["weighted_infonce", "ntxent", "scl", "barlow"])
def test_engine_on_cuda_matches_cpu(loss):
    s = TrainSettings(loss=loss, steps=200, lr=5e-3, dtype="float64", progress=False, record_every=50,
                      lr_schedule="cosine", average_tail=0.2)
    cpu = train_batch(_problems(), replace(s, device="cpu"))
    gpu = train_batch(_problems(), replace(s, device="cuda"))
    assert gpu.W.device.type == "cpu" and gpu.W.dtype == torch.float64  # results come back as on the CPU
    assert_rel_close(gpu.W.numpy(), cpu.W.numpy(), ENGINE_RTOL, floor=1e-6, reason="CUDA vs CPU float64 round-off")
    assert_rel_close(gpu.loss_history, cpu.loss_history, ENGINE_RTOL, floor=1e-6, reason="CUDA vs CPU round-off")


def test_engine_float32_on_cuda_is_close_to_cpu():
    s = TrainSettings(steps=200, lr=5e-3, dtype="float32", progress=False, record_every=50)
    cpu = train_batch(_problems(), replace(s, device="cpu"))
    gpu = train_batch(_problems(), replace(s, device="cuda"))
    TABLE["cuda_vs_cpu_engine_float32"].assert_close(gpu.W.numpy(), cpu.W.numpy(), floor=1e-3)


def test_noise_on_the_device_is_reproducible_and_its_own_stream():
    # noise_device="device": per-configuration CUDA generators (no host-side sampling): reproducible on the
    # GPU, a different stream than the CPU's (so not comparable number by number with a CPU run)
    s = TrainSettings(steps=100, lr=5e-3, dtype="float64", progress=False, record_every=50, device="cuda",
                      noise_device="device")
    a, b = train_batch(_problems(), s), train_batch(_problems(), s)
    assert torch.equal(a.W, b.W)
    cpu_noise = train_batch(_problems(), replace(s, noise_device="cpu"))
    assert not torch.allclose(a.W, cpu_noise.W, rtol=1e-6)
    assert np.isfinite(a.loss_history).all()


# one experiment per family, tiny: (name, overrides, how to pick the numbers that must agree)
FAMILIES = [
    ("ziyin_ncrit", dict(ns=(3, 6, 24), steps=800, mc_draws=2000, direction_draws=4000),
     lambda r: [e for row in r["rows"] for e in row["meas_eigs"]]),
    ("found_linear_byol", dict(seeds=2, steps=400),
     lambda r: [t["max_angle_final_deg"] for t in r["table"]]),
    ("rusak_content_style_spectrum", dict(steps=300, dtype="float64"),
     lambda r: [x for row in r["linear_rows"] for x in row["normalized_sv"]]),
    ("lastlayer_reg", dict(seeds=2, steps=100, pool=512, eval_samples=256),
     lambda r: r["loss_final"]),
    ("pokle_table1", dict(seeds=1, steps=40, n=200, batch=32, sparsities=(0.2,)),
     lambda r: [t["min_mean"] for t in r["table"]] + [t["median_mean"] for t in r["table"]]),
]


@pytest.mark.parametrize("name, overrides, pick", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_experiment_on_cuda_matches_cpu(tmp_path, name, overrides, pick):
    cpu = run_experiment(name, quick=True, out_dir=tmp_path / "cpu", device="cpu", **overrides)
    gpu = run_experiment(name, quick=True, out_dir=tmp_path / "cuda", device="cuda", **overrides)
    assert gpu["config"]["device"] == "cuda"
    assert [c["passed"] for c in gpu["checks"]] == [c["passed"] for c in cpu["checks"]]
    assert_rel_close(np.asarray(pick(gpu), float), np.asarray(pick(cpu), float), EXPERIMENT_RTOL, floor=1e-6,
                     reason="CUDA vs CPU float64 round-off, amplified by training", what=name)
