"""Resumable sweeps: batches of configurations trained as one tensor program each,
every finished batch saved atomically under a content hash.

Killing a sweep and running it again reloads the finished batches (same problems,
same settings -> same hash) and trains only the rest; a torn file cannot exist
because every write goes through ``atomic_write_json``.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.io import atomic_write_json, read_json, stable_hash, to_jsonable
from sslverify.numerics.trainer import LinearProblem, TrainSettings, train_batch


def problem_json(p: LinearProblem) -> dict:
    return to_jsonable(asdict(p))


def _settings_key(s: TrainSettings) -> dict:
    d = asdict(s)
    d.pop("progress")
    d.pop("device")  # same numbers expected on any device up to float rounding
    return d


def run_sweep(problems: list[LinearProblem], settings: TrainSettings, store: str | Path | None = None,
              batch_size: int = 256) -> list[dict]:
    """Train every problem; returns one record per problem, in order.

    record: {"W": (d1, d0) list, "b": list | None, "gram_eigs": ascending list,
             "final_loss": float (mean of the last 10% of recorded losses), "loss_history": list,
             "problem": problem_json}
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    groups: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(problems):
        groups.setdefault((p.d0, p.d1), []).append(i)
    out: list[dict | None] = [None] * len(problems)
    store_dir = Path(store) if store is not None else None
    for idxs in groups.values():
        for start in range(0, len(idxs), batch_size):
            chunk = idxs[start : start + batch_size]
            probs = [problems[i] for i in chunk]
            key = stable_hash({"settings": _settings_key(settings), "problems": [problem_json(p) for p in probs]})
            path = store_dir / f"batch-{key}.json" if store_dir is not None else None
            records = None
            if path is not None and path.exists():
                try:
                    records = read_json(path)["records"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    records = None  # unreadable: retrain (atomic writes make this unlikely)
                if not isinstance(records, list) or len(records) != len(chunk):
                    records = None  # not this batch's records: retrain
            if records is None:
                res = train_batch(probs, settings)
                hist = res.loss_history
                tail = max(1, len(hist) // 10)
                records = [
                    {
                        "W": res.W[k].numpy(),
                        "b": None if res.b is None else res.b[k].numpy(),
                        "gram_eigs": res.gram_eigs[k].numpy(),
                        "final_loss": float(np.mean(hist[-tail:, k])),
                        "loss_history": hist[:, k],
                        "problem": problem_json(probs[k]),
                    }
                    for k in range(len(probs))
                ]
                records = to_jsonable(records)
                if path is not None:
                    atomic_write_json(path, {"settings": _settings_key(settings), "records": records})
            for i, rec in zip(chunk, records):
                out[i] = rec
    return out  # type: ignore[return-value]


def weights(records: list[dict]) -> torch.Tensor:
    """Stack the W of sweep records into a (K, d1, d0) float64 tensor."""
    return torch.tensor(np.array([r["W"] for r in records], dtype=np.float64))
