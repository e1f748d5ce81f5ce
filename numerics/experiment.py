"""The shape every experiment script shares (after karpathy/nanoGPT and mup's coord_check).

A script ``experiments/<name>.py`` defines

* ``Config``: a frozen dataclass whose defaults are the CPU-sized run;
* ``QUICK`` / ``FULL``: dicts of field overrides for ``--quick`` and ``--full``
  (the source's sizes);
* ``run(cfg, out_dir) -> dict``: trains, compares with the prediction, returns
  results with at least ``checks`` (list of {"name", "passed", "detail"}),
  ``table`` (list of row dicts) and ``summary`` (one line);
* ``plot(results, out_dir) -> list[str]``: PNG files written, separate from run;
* ``SPEC = ExperimentSpec(...)`` and ``if __name__ == "__main__": raise SystemExit(main(SPEC))``.

``main`` parses ``--out --quick --full --device --dtype --seed --set field=value
--executor --address --shard-size``, writes ``config.json`` then ``results.json``
(atomically) and the plots into ``--out``, prints a verdict table and exits 0 iff
every check passed (1 if not, 2 on bad input, 3 if training diverged, 4 if
shards of a sweep failed on the executor: run again to resume).
``run_experiment`` does the same in-process for ``sslverify check``.

Devices and dtypes: every Config has ``device`` ("auto": CUDA when torch sees a GPU,
else the CPU) and ``dtype`` (its natural one; ``ExperimentSpec.dtypes`` lists those
its checks are calibrated for, others are refused with exit 2).  ``--device cuda``
without a GPU exits 2 with one line.  Sweeps (``numerics.sweep.run_sweep``) run on
the executor chosen by ``--executor {local,ray}``; experiments without a sweep train
their one batch locally whatever the executor.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import sys
import time
import types
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable

from sslverify.numerics.device import DTYPES, check_placement
from sslverify.numerics.engine import TrainingDiverged
from sslverify.numerics.io import atomic_write_json, check_writable_dir, to_jsonable


@dataclass(frozen=True)
class ExperimentSpec:
    name: str
    config: type
    run: Callable[[Any, Path], dict]
    plot: Callable[[dict, Path], list]
    quick: dict = dataclasses.field(default_factory=dict)
    full: dict = dataclasses.field(default_factory=dict)
    description: str = ""
    dtypes: tuple = DTYPES  # dtypes the experiment's checks are calibrated for (others: ValueError)
    sweeps: bool = False  # trains through numerics.sweep.run_sweep (can use --executor ray)


def parse_value(field_type: Any, raw: str, name: str) -> Any:
    """Parse ``raw`` for a config field of type ``field_type`` (ValueError names the field)."""
    origin = typing.get_origin(field_type)
    if origin in (typing.Union, types.UnionType):  # e.g. int | None: first member that parses
        members = typing.get_args(field_type)
        if type(None) in members and raw.strip() == "None":
            return None
        for member in members:
            if member is not type(None):
                try:
                    return parse_value(member, raw, name)
                except ValueError:
                    pass
        raise ValueError(f"--set {name}={raw!r}: cannot parse the value as {field_type}")
    try:
        if field_type in (int, "int"):
            return int(raw)
        if field_type in (float, "float"):
            return float(raw)
        if field_type in (bool, "bool"):
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if field_type in (str, "str"):
            return raw
        if origin is tuple or (isinstance(field_type, str) and field_type.startswith("tuple")) or field_type is tuple:
            val = ast.literal_eval(raw)
            return tuple(val) if isinstance(val, (list, tuple)) else (val,)
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        raise ValueError(f"--set {name}={raw!r}: cannot parse the value as {getattr(field_type, '__name__', field_type)}") from None


def build_config(spec: ExperimentSpec, quick: bool = False, full: bool = False, sets: list[str] | None = None,
                 **overrides) -> Any:
    if quick and full:
        raise ValueError("--quick and --full exclude each other")
    cfg = spec.config()
    if quick:
        cfg = replace(cfg, **spec.quick)
    if full:
        cfg = replace(cfg, **spec.full)
    types = {f.name: f.type for f in fields(cfg)}
    hints = typing.get_type_hints(spec.config)
    for key, val in overrides.items():
        if val is None:
            continue
        if key not in types:
            raise ValueError(f"unknown config field {key!r} for {spec.name}; fields: {', '.join(types)}")
        cfg = replace(cfg, **{key: val})
    for item in sets or []:
        if "=" not in item:
            raise ValueError(f"--set expects field=value, got {item!r}")
        key, raw = item.split("=", 1)
        key = key.strip()
        if key not in types:
            raise ValueError(f"--set: unknown config field {key!r} for {spec.name}; fields: {', '.join(types)}")
        cfg = replace(cfg, **{key: parse_value(hints.get(key, types[key]), raw, key)})
    check_placement(cfg)
    if hasattr(cfg, "dtype") and cfg.dtype not in spec.dtypes:
        raise ValueError(f"dtype must be one of {spec.dtypes} for {spec.name} (its checks assume that precision), "
                         f"got {cfg.dtype!r}")
    if hasattr(cfg, "validate"):
        cfg.validate()
    return cfg


def execute(spec: ExperimentSpec, cfg: Any, out_dir: Path, echo: bool = True) -> dict:
    """Run + plot + write config.json / results.json; returns the results dict."""
    out_dir = check_writable_dir(out_dir, "--out")
    check_placement(cfg)
    atomic_write_json(out_dir / "config.json", {"experiment": spec.name, "config": cfg})
    t0 = time.time()
    results = spec.run(cfg, out_dir)
    results["seconds"] = round(time.time() - t0, 2)
    checks = results.get("checks", [])
    if not checks:
        raise RuntimeError(f"{spec.name}: run() returned no checks; an experiment must compare with a prediction")
    results["passed"] = all(bool(c["passed"]) for c in checks)
    results["experiment"] = spec.name
    results["config"] = to_jsonable(cfg)
    atomic_write_json(out_dir / "results.json", results)  # numbers first, plots may fail separately
    results["plots"] = [str(p) for p in spec.plot(results, out_dir)]
    atomic_write_json(out_dir / "results.json", results)
    if echo:
        print_table(spec.name, results)
    return results


def print_table(name: str, results: dict) -> None:
    checks = results.get("checks", [])
    width = max([len(c["name"]) for c in checks] + [5])
    print(f"\n{name}: {results.get('summary', '')}")
    for c in checks:
        print(f"  {'PASS' if c['passed'] else 'FAIL'}  {c['name']:<{width}}  {c.get('detail', '')}")
    print(f"  -> {'all checks passed' if results['passed'] else 'some checks FAILED'} ({results.get('seconds', 0)} s)")


def main(spec: ExperimentSpec, argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=f"sslverify run {spec.name}", description=spec.description)
    ap.add_argument("--out", default=None, help=f"output directory (default results/{spec.name})")
    ap.add_argument("--quick", action="store_true", help="small sizes, seconds")
    ap.add_argument("--full", action="store_true", help="the source's sizes (slow on a CPU)")
    ap.add_argument("--device", default=None, help="auto (default: CUDA if present), cpu, cuda or cuda:i")
    ap.add_argument("--dtype", default=None, choices=DTYPES, help="float32 or float64 (default: the experiment's)")
    ap.add_argument("--seed", type=int, default=None, help="base seed of every random draw")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a config field (repeatable)")
    ap.add_argument("--executor", default="local", choices=("local", "ray"),
                    help="where the shards of a sweep train: this process (default) or a Ray cluster")
    ap.add_argument("--address", default=None, help="Ray cluster address (default: start a local Ray)")
    ap.add_argument("--shard-size", type=int, default=None, help="configurations per shard of a sweep")
    args = ap.parse_args(argv)
    from sslverify.numerics import sweep  # the harness chooses the executor of every sweep inside run()

    try:
        cfg = build_config(spec, args.quick, args.full, args.set, seed=args.seed, device=args.device, dtype=args.dtype)
        out = Path(args.out) if args.out else Path.cwd() / "results" / spec.name
        executor = sweep.Executor(args.executor, args.address, args.shard_size)
        if executor.kind == "ray" and not spec.sweeps:
            print(f"note: {spec.name} trains one batch (no sweep); --executor ray has nothing to distribute, "
                  "running it here", file=sys.stderr)
            executor = sweep.Executor(shard_size=args.shard_size)
        with sweep.using(executor):
            results = execute(spec, cfg, out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except TrainingDiverged as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except sweep.SweepIncomplete as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    print(f"  wrote {out}/results.json, config.json and {len(results['plots'])} plot(s)")
    return 0 if results["passed"] else 1
