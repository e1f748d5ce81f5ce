"""numerics/sweep.py on Ray: a sharded sweep equals the local one bit for bit; a worker killed mid-sweep
loses and duplicates nothing after a re-run; a bad address is one clear error.

Skipped when Ray is not installed (``pip install 'sslverify[ray]'``).  Starts one local Ray with 2 CPUs
for the module (about 10 s).
"""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

ray = pytest.importorskip("ray")

from sslverify.numerics import sweep  # noqa: E402
from sslverify.numerics.data import isotropic_noise  # noqa: E402
from sslverify.numerics.trainer import LinearProblem, TrainSettings  # noqa: E402

S = TrainSettings(steps=30, lr=5e-3, dtype="float64", device="cpu", progress=False, record_every=10)


def problems() -> list[LinearProblem]:
    A0 = np.diag([1.0, 0.5, 0.2])
    out = [LinearProblem(A0=A0, C=isotropic_noise(3, 0.3), d1=2, n=5 + k % 3, alpha=a, seed=k, tags={"k": k})
           for k, a in enumerate([0.0, 0.5, 1.0, 0.25, 0.75, 0.1, 0.9])]
    out.insert(3, LinearProblem(A0=np.eye(2), C=isotropic_noise(2, 0.1), d1=1, n=4, seed=9))  # a second shape
    return out


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, log_to_driver=False, include_dashboard=False, configure_logging=False)
    yield ray
    ray.shutdown()


def _same(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        assert ra["problem"] == rb["problem"]
        assert ra["W"] == rb["W"]  # bit for bit (JSON round-trips float64 exactly)
        assert ra["loss_history"] == rb["loss_history"]


def test_sharded_sweep_is_bit_identical_to_local(tmp_path, local_ray):
    probs = problems()
    local = sweep.run_sweep(probs, S, store=tmp_path / "local", batch_size=2)
    on_ray = sweep.run_sweep(probs, S, store=tmp_path / "ray", executor=sweep.Executor("ray", shard_size=2))
    _same(local, on_ray)
    # 7 configurations of one shape in shards of 2 (4 shards) + 1 of another shape: 5 shard files
    assert len(list((tmp_path / "ray").glob("batch-*.json"))) == 5
    # the harness's context picks the executor for sweeps that do not name one
    with sweep.using(sweep.Executor("ray", shard_size=2)):
        again = sweep.run_sweep(probs, S, store=tmp_path / "ctx")
    _same(local, again)


def test_killed_worker_then_rerun_loses_and_duplicates_nothing(tmp_path, local_ray):
    probs = problems()
    store, log1, log2 = tmp_path / "runs", tmp_path / "log1", tmp_path / "log2"
    crash = sweep.Executor("ray", shard_size=2, max_retries=0,
                           env=((sweep.TEST_HOOK_ENV, json.dumps({"crash_shard": 1, "log": str(log1)})),))
    with pytest.raises(sweep.SweepIncomplete, match=r"1 of 5 shards failed on Ray .*shard 1 "):
        sweep.run_sweep(probs, S, store=store, executor=crash)
    stored = sorted(store.glob("batch-*.json"))
    assert len(stored) == 4  # every finished shard was written although one worker died
    assert len(log1.read_text().splitlines()) == 5  # all five shards started once
    # re-run: only the missing shard trains, and the sweep equals an uninterrupted local run
    hook = sweep.Executor("ray", shard_size=2, env=((sweep.TEST_HOOK_ENV, json.dumps({"log": str(log2)})),))
    done = sweep.run_sweep(probs, S, store=store, executor=hook)
    assert len(log2.read_text().splitlines()) == 1
    assert len(list(store.glob("batch-*.json"))) == 5
    _same(sweep.run_sweep(probs, S, batch_size=2), done)
    keys = [json.dumps(r["problem"], sort_keys=True) for r in done]
    assert len(set(keys)) == len(probs)  # no configuration twice, none missing


def test_worker_crash_is_retried_by_ray(tmp_path, local_ray):
    probs = problems()
    marker = tmp_path / "crashed-once"
    hook = json.dumps({"crash_shard": 0, "crash_once": str(marker)})
    ex = sweep.Executor("ray", shard_size=2, max_retries=1, env=((sweep.TEST_HOOK_ENV, hook),))
    done = sweep.run_sweep(probs, S, store=tmp_path / "runs", executor=ex)
    assert marker.exists()  # the first attempt of shard 0 did kill its worker
    _same(sweep.run_sweep(probs, S, batch_size=2), done)


def test_bad_address_is_one_clear_error_within_seconds():
    t0 = time.time()
    with pytest.raises(ValueError, match=r"^cannot reach a Ray cluster at '127.0.0.1:1': "):
        with sweep.using(sweep.Executor("ray", address="127.0.0.1:1")):
            pass
    assert time.time() - t0 < 10
    with pytest.raises(ValueError, match="expected host:port"):
        with sweep.using(sweep.Executor("ray", address="not-an-address")):
            pass
