"""Resumable sweeps: shards of configurations trained as one tensor program each, every finished
shard saved atomically under a content hash, run here or on a Ray cluster.

A sweep's K configurations are grouped by shape (d0, d1) and split into shards of ``batch_size``
configurations; a shard is the unit of batching, of storage (``<store>/batch-<hash>.json``, the hash of
the shard's problems and the settings that determine the numbers) and of distribution:

* ``local`` executor (the default): the shards are trained one after another in this process;
* ``ray`` executor: every missing shard is one Ray task (trained batched inside the task, on whatever
  device its node has: ``settings.device = "auto"``); the driver writes each shard's file as soon as its
  task finishes, so an interrupted or partly failed sweep keeps every finished shard.

Killing a sweep and running it again reloads the finished shards (same problems, same settings -> same
hash) and trains only the rest; a torn file cannot exist because every write goes through
``atomic_write_json``.  A shard gives the same numbers on either executor: each configuration draws
from its own generator (``numerics.engine``), and a shard is the same batch whichever process trains it
(bitwise under the same torch build and thread count; Ray tasks use one thread each).

The executor of the sweeps an experiment runs is chosen by the harness (``--executor ray --address
ADDR --shard-size N``, ``numerics.experiment``) through :func:`using`.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.engine import ENGINE_VERSION, TrainingDiverged
from sslverify.numerics.io import atomic_write_json, read_json, stable_hash, to_jsonable
from sslverify.numerics.trainer import LinearProblem, TrainSettings, train_batch

EXECUTORS = ("local", "ray")


class SweepIncomplete(RuntimeError):
    """Some shards failed on the executor; the finished ones are stored (run again to resume)."""

#: test hook (JSON): {"crash_shard": i, "crash_once": marker path, "log": path}: the Ray task of shard i
#: kills its worker process (once, if a marker path is given); every task appends "start <key>" to log.
TEST_HOOK_ENV = "SSLVERIFY_SWEEP_TEST_HOOK"


@dataclass(frozen=True)
class Executor:
    """Where a sweep's shards are trained.

    kind: "local" or "ray"; address: the Ray cluster ("auto" = the one running on this machine,
    "host:6379", "ray://host:10001"; None = start a local Ray with ``num_cpus`` CPUs, shut down after);
    shard_size: configurations per shard (None: the sweep's batch size); max_retries: Ray task retries
    after a worker crash; env: environment variables of the Ray tasks (``runtime_env``).
    """

    kind: str = "local"
    address: str | None = None
    shard_size: int | None = None
    num_cpus: int | None = None
    max_retries: int = 3
    env: tuple[tuple[str, str], ...] = ()

    def validate(self) -> "Executor":
        if self.kind not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS}, got {self.kind!r}")
        if self.shard_size is not None and (isinstance(self.shard_size, bool) or int(self.shard_size) < 1):
            raise ValueError(f"shard size must be an integer >= 1, got {self.shard_size!r}")
        if self.address is not None and self.kind != "ray":
            raise ValueError("--address needs --executor ray")
        if int(self.max_retries) < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        return self


_EXECUTOR: contextvars.ContextVar[Executor] = contextvars.ContextVar("sslverify_sweep_executor", default=Executor())


@contextlib.contextmanager
def using(executor: Executor):
    """Run the sweeps inside the block on ``executor`` (connecting to Ray first, so that a bad address fails
    here, with one line); a local Ray started here is shut down at the end."""
    executor = executor.validate()
    started = False
    if executor.kind == "ray":
        ray = _import_ray()
        started = not ray.is_initialized()
        connect_ray(executor)
    token = _EXECUTOR.set(executor)
    try:
        yield executor
    finally:
        _EXECUTOR.reset(token)
        if started:
            _import_ray().shutdown()


def current_executor() -> Executor:
    return _EXECUTOR.get()


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ValueError("--executor ray needs Ray: pip install 'sslverify[ray]' (or pip install ray)") from None
    return ray


def check_address(address: str, timeout: float = 5.0) -> None:
    """A Ray address must name a reachable host:port (checked with one TCP connect, so that a typo fails in
    seconds with one line instead of Ray's minute of retries); 'auto' / 'local' are left to Ray."""
    import socket

    if address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = hostport.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"--address {address!r}: expected host:port, ray://host:port or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ValueError(f"cannot reach a Ray cluster at {address!r}: {exc.strerror or exc}") from None


def connect_ray(executor: Executor):
    """Import Ray and connect (or start a local one); ValueError with one clear line otherwise."""
    ray = _import_ray()
    if executor.address is not None:
        check_address(executor.address)
    if ray.is_initialized():
        return ray
    kw = {"log_to_driver": False, "include_dashboard": False, "configure_logging": False}
    if executor.address is None:
        kw["num_cpus"] = executor.num_cpus
    try:
        ray.init(address=executor.address, **kw)
    except Exception as exc:  # noqa: BLE001 -- Ray raises ConnectionError, RuntimeError, ValueError, ...
        where = f"at {executor.address!r}" if executor.address else "locally"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot connect to a Ray cluster {where}: {first}") from None
    return ray


def problem_json(p: LinearProblem) -> dict:
    return to_jsonable(asdict(p))


def _settings_key(s: TrainSettings) -> dict:
    d = asdict(s)
    for k in ("progress", "device", "on_worse"):  # none of them changes the numbers (device: up to rounding)
        d.pop(k)
    d["engine"] = ENGINE_VERSION
    return d


def shard_records(probs: list[LinearProblem], settings: TrainSettings) -> list[dict]:
    """Train one shard and return its JSON-able records (what a shard file stores)."""
    res = train_batch(probs, settings)
    hist = res.loss_history
    tail = max(1, len(hist) // 10)
    return to_jsonable([
        {
            "W": res.W[k].numpy(),
            "b": None if res.b is None else res.b[k].numpy(),
            "gram_eigs": res.gram_eigs[k].numpy(),
            "final_loss": float(np.mean(hist[-tail:, k])),
            "loss_history": hist[:, k],
            "problem": problem_json(probs[k]),
        }
        for k in range(len(probs))
    ])


def _ray_shard(index: int, key: str, probs: list[LinearProblem], settings: TrainSettings, threads: int) -> list[dict]:
    """Body of a Ray task (module-level so that workers import it from the installed package)."""
    torch.set_num_threads(threads)
    hook = json.loads(os.environ.get(TEST_HOOK_ENV) or "{}")
    if hook.get("log"):
        with open(hook["log"], "a", encoding="utf-8") as fh:
            fh.write(f"start {key}\n")
    if hook.get("crash_shard") == index:
        marker = hook.get("crash_once")
        if marker is None or not os.path.exists(marker):
            if marker is not None:
                Path(marker).write_text("crashed\n")
            os._exit(1)  # a worker killed mid-sweep
    return shard_records(probs, replace(settings, progress=False))


def _load(path: Path | None, n: int) -> list | None:
    if path is None or not path.exists():
        return None
    try:
        records = read_json(path)["records"]
    except (json.JSONDecodeError, KeyError, TypeError, OSError):
        return None  # unreadable: retrain (atomic writes make this unlikely)
    if not isinstance(records, list) or len(records) != n:
        return None  # not this shard's records: retrain
    return records


def run_sweep(problems: list[LinearProblem], settings: TrainSettings, store: str | Path | None = None,
              batch_size: int = 256, executor: Executor | None = None) -> list[dict]:
    """Train every problem; returns one record per problem, in order.

    record: {"W": (d1, d0) list, "b": list | None, "gram_eigs": ascending list,
             "final_loss": float (mean of the last 10% of recorded losses), "loss_history": list,
             "problem": problem_json}
    ``executor``: None = the one chosen by :func:`using` (default: local).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    executor = (executor or current_executor()).validate()
    size = int(executor.shard_size or batch_size)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(problems):
        groups.setdefault((p.d0, p.d1), []).append(i)
    shards = [idxs[start: start + size] for idxs in groups.values() for start in range(0, len(idxs), size)]
    store_dir = Path(store) if store is not None else None
    skey = _settings_key(settings)
    out: list[dict | None] = [None] * len(problems)
    todo = []
    for j, chunk in enumerate(shards):
        probs = [problems[i] for i in chunk]
        key = stable_hash({"settings": skey, "problems": [problem_json(p) for p in probs]})
        path = store_dir / f"batch-{key}.json" if store_dir is not None else None
        records = _load(path, len(chunk))
        if records is None:
            todo.append((j, key, chunk, probs, path))
        else:
            for i, rec in zip(chunk, records):
                out[i] = rec

    def finish(chunk, path, records):
        if path is not None:
            atomic_write_json(path, {"settings": skey, "records": records})
        for i, rec in zip(chunk, records):
            out[i] = rec

    if executor.kind == "local" or not todo:
        for j, key, chunk, probs, path in todo:
            finish(chunk, path, shard_records(probs, settings))
    else:
        _run_on_ray(executor, todo, settings, finish)
    return out  # type: ignore[return-value]


def _run_on_ray(executor: Executor, todo: list, settings: TrainSettings, finish) -> None:
    ray = connect_ray(executor)
    opts = {"num_cpus": 1, "max_retries": int(executor.max_retries)}
    if executor.env:
        opts["runtime_env"] = {"env_vars": dict(executor.env)}
    task = ray.remote(**opts)(_ray_shard)
    pending = {task.remote(j, key, probs, settings, 1): (j, key, chunk, path) for j, key, chunk, probs, path in todo}
    failed, diverged = [], None
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        ref = done[0]
        j, key, chunk, path = pending.pop(ref)
        try:
            records = ray.get(ref)
        except Exception as exc:  # noqa: BLE001 -- a task or its worker failed: keep the others, report
            cause = getattr(exc, "cause", None)
            if isinstance(cause, TrainingDiverged):
                diverged = diverged or cause
            first = (str(cause or exc).strip().splitlines() or [type(exc).__name__])[0]
            failed.append(f"shard {j} ({len(chunk)} configurations, batch-{key}): {type(exc).__name__}: {first}")
            continue
        finish(chunk, path, records)  # written as soon as it is back: nothing finished is lost
    if diverged is not None:
        raise TrainingDiverged(str(diverged))
    if failed:
        raise SweepIncomplete(f"{len(failed)} of {len(todo)} shards failed on Ray (the finished ones are stored; "
                           f"run again to train only the rest): " + "; ".join(failed))


def weights(records: list[dict]) -> torch.Tensor:
    """Stack the W of sweep records into a (K, d1, d0) float64 tensor."""
    return torch.tensor(np.array([r["W"] for r in records], dtype=np.float64))
