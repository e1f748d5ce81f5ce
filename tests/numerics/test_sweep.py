"""numerics/sweep.py: resumable sweeps -- a killed sweep retrains only what is missing."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from sslverify.numerics import sweep
from sslverify.numerics.data import isotropic_noise
from sslverify.numerics.trainer import LinearProblem, TrainSettings, train_batch

S = TrainSettings(steps=12, lr=5e-3, dtype="float64", device="cpu", progress=False, record_every=4)


def problems() -> list[LinearProblem]:
    A0 = np.diag([1.0, 0.5, 0.2])
    out = [LinearProblem(A0=A0, C=isotropic_noise(3, 0.3), d1=2, n=5, alpha=a, seed=k, tags={"alpha": a})
           for k, a in enumerate([0.0, 0.5, 1.0, 0.25, 0.75])]
    # a second (d0, d1) group, interleaved, to check that records come back in input order
    out.insert(2, LinearProblem(A0=np.eye(2), C=isotropic_noise(2, 0.1), d1=1, n=4, seed=9))
    return out


@pytest.fixture
def counted(monkeypatch):
    calls = []

    def wrapper(probs, settings=None, **kw):
        calls.append(len(probs))
        return train_batch(probs, settings, **kw)

    monkeypatch.setattr(sweep, "train_batch", wrapper)
    return calls


def _same(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        assert ra["problem"] == rb["problem"]
        assert np.array_equal(np.array(ra["W"]), np.array(rb["W"]))  # JSON round-trips float64 exactly


def test_rerun_after_kill_retrains_only_missing_batch(tmp_path, counted):
    probs = problems()
    first = sweep.run_sweep(probs, S, store=tmp_path, batch_size=2)
    assert counted == [2, 2, 1, 1]  # group (3,2): 5 configs in batches 2,2,1; group (2,1): 1
    files = sorted(tmp_path.glob("batch-*.json"))
    assert len(files) == 4
    for f in files:  # every file is valid JSON with the promised layout
        data = json.loads(f.read_text())
        assert set(data) == {"settings", "records"}
        for rec in data["records"]:
            assert {"W", "b", "gram_eigs", "final_loss", "loss_history", "problem"} <= set(rec)
    assert not list(tmp_path.glob(".*.tmp"))
    # "kill": one batch's file is gone; the re-run trains that batch alone
    victim = files[1]
    n_victim = len(json.loads(victim.read_text())["records"])
    victim.unlink()
    counted.clear()
    second = sweep.run_sweep(probs, S, store=tmp_path, batch_size=2)
    assert counted == [n_victim]
    _same(first, second)
    # and a third run trains nothing
    counted.clear()
    _same(first, sweep.run_sweep(probs, S, store=tmp_path, batch_size=2))
    assert counted == []


def test_records_in_input_order_and_match_direct_training(tmp_path):
    probs = problems()
    recs = sweep.run_sweep(probs, S, store=None, batch_size=3)
    for p, r in zip(probs, recs):
        assert r["problem"]["seed"] == p.seed and np.array(r["W"]).shape == (p.d1, p.d0)
    direct = train_batch([probs[2]], S)
    assert np.array_equal(np.array(recs[2]["W"]), direct.W[0].numpy())
    W = sweep.weights([recs[i] for i in (0, 1, 3)])
    assert W.shape == (3, 2, 3) and W.dtype == torch.float64
    assert recs[0]["final_loss"] == pytest.approx(np.mean(recs[0]["loss_history"][-1:]), rel=0, abs=0)


def test_torn_file_is_retrained(tmp_path, counted):
    probs = problems()[:2]
    sweep.run_sweep(probs, S, store=tmp_path, batch_size=4)
    (f,) = tmp_path.glob("batch-*.json")
    f.write_text('{"settings": {}, "recor')  # simulate a torn write (atomic writes prevent it)
    counted.clear()
    sweep.run_sweep(probs, S, store=tmp_path, batch_size=4)
    assert counted == [2]
    json.loads(f.read_text())


def test_file_with_wrong_records_is_retrained(tmp_path, counted):
    probs = problems()[:2]
    first = sweep.run_sweep(probs, S, store=tmp_path, batch_size=4)
    (f,) = tmp_path.glob("batch-*.json")
    data = json.loads(f.read_text())
    f.write_text(json.dumps({"settings": data["settings"], "records": data["records"][:1]}))
    counted.clear()
    _same(first, sweep.run_sweep(probs, S, store=tmp_path, batch_size=4))
    assert counted == [2]


def test_changed_settings_or_problem_train_anew(tmp_path, counted):
    probs = problems()[:2]
    sweep.run_sweep(probs, S, store=tmp_path)
    sweep.run_sweep(probs, TrainSettings(**{**S.__dict__, "steps": 13}), store=tmp_path)
    sweep.run_sweep([probs[0], LinearProblem(**{**probs[1].__dict__, "alpha": 0.9})], S, store=tmp_path)
    assert counted == [2, 2, 2]
    # progress and device do not change the numbers, so they do not change the key
    sweep.run_sweep(probs, TrainSettings(**{**S.__dict__, "progress": True}), store=tmp_path)
    assert counted == [2, 2, 2]
    assert len(list(Path(tmp_path).glob("batch-*.json"))) == 3


def test_batch_size_validated():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        sweep.run_sweep(problems(), S, batch_size=0)
