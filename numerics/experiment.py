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
shards of a sweep failed on the executor: run again to resume, 130 if interrupted).
``run_experiment`` does the same in-process for ``sslverify check``.

Command-line behaviour (``main``): ``--help`` lists every config field with its type, default and
the ``--quick`` / ``--full`` values; a user's mistake (unknown field, bad value, unwritable ``--out``)
is one line on stderr and exit 2, never a traceback; Ctrl-C is one line saying what was saved and how
to resume (exit 130); a closed stdout (``| head``) is not an error; a run shows an elapsed-time line
on stderr while it trains.  ``results.json`` lists its plots relative to its own folder.

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
import difflib
import errno
import inspect
import io
import math
import os
import re
import sys
import threading
import time
import tokenize
import types
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable

from sslverify.numerics.device import DTYPES, check_placement
from sslverify.numerics.engine import TrainingDiverged
from sslverify.numerics.io import atomic_write_json, check_writable_dir, read_json, relative_to_dir, to_jsonable


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
            raise ValueError(unknown_field_message(spec, key, list(types)))
        cfg = replace(cfg, **{key: val})
    for item in sets or []:
        if "=" not in item:
            raise ValueError(f"--set expects field=value, got {item!r}")
        key, raw = item.split("=", 1)
        key = key.strip()
        if key not in types:
            raise ValueError("--set: " + unknown_field_message(spec, key, list(types)))
        cfg = replace(cfg, **{key: parse_value(hints.get(key, types[key]), raw, key)})
    check_config_values(spec, cfg)  # generic rules first: a config's own validate() may assume them
    check_placement(cfg)
    if hasattr(cfg, "dtype") and cfg.dtype not in spec.dtypes:
        raise ValueError(f"dtype must be one of {spec.dtypes} for {spec.name} (its checks assume that precision), "
                         f"got {cfg.dtype!r}")
    if hasattr(cfg, "validate"):
        cfg.validate()
    return cfg


_COUNT = re.compile(r"(^|_)(steps|seeds|draws|samples|points|blocks|pool|batch|batch_size|n_init|n_eval)(_|$)")
_RATE = re.compile(r"(^|_)lr(_|$)")


def check_config_values(spec: ExperimentSpec, cfg: Any) -> None:
    """Rules every experiment's config obeys, whatever its own ``validate`` checks (ValueError naming the
    field, rule and value): numbers finite (unless the default is not); ``seed`` an integer ≥ 0; counts
    (``*steps``, ``*seeds``, ``*draws``, ``*samples``, ``pool``, ``batch`` …) integers ≥ 1; learning rates
    (``lr``, ``*_lr``, ``lr_*``) > 0; a tuple whose default holds values is not empty and holds values of
    the default's element type (an int where a float is expected is fine)."""
    default = spec.config()
    for f in fields(cfg):
        val, ref = getattr(cfg, f.name), getattr(default, f.name, None)
        where = f"{spec.name}: {f.name}"
        if isinstance(val, float) and not math.isfinite(val) and (not isinstance(ref, float) or math.isfinite(ref)):
            raise ValueError(f"{where} must be a finite number, got {val!r}")
        if f.name == "seed" and (isinstance(val, bool) or not isinstance(val, int) or val < 0):
            raise ValueError(f"{where} must be an integer >= 0, got {val!r}")
        if _COUNT.search(f.name) and isinstance(ref, int) and not isinstance(ref, bool):
            if isinstance(val, bool) or not isinstance(val, int) or val < 1:
                raise ValueError(f"{where} must be an integer >= 1, got {val!r}")
        if _RATE.search(f.name) and isinstance(ref, (int, float)) and not isinstance(ref, bool):
            if not isinstance(val, (int, float)) or isinstance(val, bool) or not val > 0:
                raise ValueError(f"{where} must be a number > 0, got {val!r}")
        if isinstance(ref, tuple) and ref:
            if not isinstance(val, tuple) or not val:
                raise ValueError(f"{where} must hold at least one value like its default {ref!r}, got {val!r}")
            kind = type(ref[0])
            ok = (lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)) if kind in (int, float) else \
                (lambda x: isinstance(x, kind))
            if kind is int:
                ok = lambda x: isinstance(x, int) and not isinstance(x, bool)  # noqa: E731
            bad = [x for x in val if not ok(x)]
            if bad:
                raise ValueError(f"{where} must hold {kind.__name__} values like its default {ref!r}, got {val!r}")
            if kind in (int, float):
                nonfinite = [x for x in val if not math.isfinite(x)]
                if nonfinite and all(math.isfinite(x) for x in ref):
                    raise ValueError(f"{where} must hold finite numbers, got {val!r}")


def execute(spec: ExperimentSpec, cfg: Any, out_dir: Path, echo: bool = True) -> dict:
    """Run + plot + write config.json / results.json; returns the results dict."""
    out_dir = check_writable_dir(out_dir, "--out")
    check_placement(cfg)
    atomic_write_json(out_dir / "config.json", {"experiment": spec.name, "config": cfg})
    t0 = time.time()
    with elapsed_line(spec.name, out_dir, cfg, enabled=echo):
        results = spec.run(cfg, out_dir)
    results["seconds"] = round(time.time() - t0, 2)
    checks = results.get("checks", [])
    if not checks:
        raise RuntimeError(f"{spec.name}: run() returned no checks; an experiment must compare with a prediction")
    results["passed"] = all(bool(c["passed"]) for c in checks)
    results["experiment"] = spec.name
    results["config"] = to_jsonable(cfg)
    atomic_write_json(out_dir / "results.json", results)  # numbers first, plots may fail separately
    # relative to results.json's own folder, so that the folder can be moved (resolve_in_dir reads them back)
    results["plots"] = [relative_to_dir(p, out_dir) for p in spec.plot(results, out_dir)]
    atomic_write_json(out_dir / "results.json", results)
    if echo:
        quiet_if_pipe_closed(print_table, spec.name, results)
    return results


def print_table(name: str, results: dict) -> None:
    checks = results.get("checks", [])
    width = max([len(c["name"]) for c in checks] + [5])
    print(f"\n{name}: {results.get('summary', '')}")
    for c in checks:
        print(f"  {'PASS' if c['passed'] else 'FAIL'}  {c['name']:<{width}}  {c.get('detail', '')}")
    print(f"  -> {'all checks passed' if results['passed'] else 'some checks FAILED'} ({results.get('seconds', 0)} s)")


def main(spec: ExperimentSpec, argv: list[str] | None = None) -> int:
    ap = experiment_parser(spec)
    ap.add_argument("--out", default=None, help=f"output directory (default ./results/{spec.name} in the working folder)")
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
    except KeyboardInterrupt:
        print(interrupted_message(Path(args.out) if args.out else Path.cwd() / "results" / spec.name), file=sys.stderr)
        return 130
    except OSError as exc:  # the output could not be written (disk full, permissions changed mid-run)
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        print(f"error: cannot write {exc.filename or 'the output'}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    quiet_if_pipe_closed(print, f"  wrote {out}/results.json, config.json and {len(results['plots'])} plot(s)")
    return 0 if results["passed"] else 1


# ----------------------------------------------------------------------------- command-line helpers
#: errno values of an output that cannot be written: a user's (or the machine's) problem, exit 2, one line
OUTPUT_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR,
                 errno.EEXIST, errno.ENOENT}


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (exit 2) pointing at --help, not the usage block."""

    def error(self, message: str):  # noqa: D102 (argparse API)
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _type_name(tp: Any) -> str:
    if isinstance(tp, str):
        return tp
    if typing.get_origin(tp) is not None or isinstance(tp, types.UnionType):
        return str(tp).replace("typing.", "")
    return getattr(tp, "__name__", str(tp))


def _field_comments(config: type) -> dict[str, str]:
    """The trailing ``# comment`` of each field line in the Config class's source (empty if unavailable)."""
    try:
        src = inspect.getsource(config)
    except (OSError, TypeError):
        return {}
    try:
        tree = ast.parse(src)
        comments = {tok.start[0]: tok.string.lstrip("#").strip()
                    for tok in tokenize.generate_tokens(io.StringIO(src).readline) if tok.type == tokenize.COMMENT}
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return {}
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
    out: dict[str, str] = {}
    for node in cls.body if cls else []:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            text = comments.get(node.end_lineno) or comments.get(node.lineno)
            if text:
                out[node.target.id] = text
    return out


def config_help(spec: ExperimentSpec, width: int = 110) -> str:
    """The config fields of ``spec`` for ``--help``: name, type, default, the --quick/--full values, comment."""
    try:
        hints = typing.get_type_hints(spec.config)
    except Exception:  # an unresolvable annotation: fall back to the raw strings
        hints = {}
    comments = _field_comments(spec.config)
    rows = []
    for f in fields(spec.config):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = f.default_factory()  # type: ignore[misc]
        else:
            default = "(required)"
        extra = [f"{flag} {spec_vals[f.name]!r}" for flag, spec_vals in (("--quick", spec.quick), ("--full", spec.full))
                 if f.name in spec_vals]
        tp = _type_name(hints.get(f.name, f.type))
        if tp == "tuple" and isinstance(default, tuple) and default:  # the element type the parser expects
            tp = f"tuple[{type(default[0]).__name__}, ...]"
        head = f"  {f.name}: {tp} = {default!r}"
        sizes = "; ".join(extra)  # the --quick / --full values are never cut
        note = comments.get(f.name, "")
        room = width - len(head) - len(sizes) - 7
        if note and len(note) > room:
            note = note[: max(room - 1, 20)] + "…"  # the comment is, to keep one line per field
        tail = "; ".join(x for x in (sizes, note) if x)
        rows.append(f"{head}   [{tail}]" if tail else head)
    return ("config fields (override with --set FIELD=VALUE, repeatable; tuples as (1, 2)):\n" + "\n".join(rows))


def experiment_parser(spec: ExperimentSpec) -> argparse.ArgumentParser:
    """The argument parser of an experiment: one-line errors, the config fields listed by --help."""
    return OneLineErrorParser(prog=f"sslverify run {spec.name}", description=spec.description,
                              epilog=config_help(spec), formatter_class=argparse.RawDescriptionHelpFormatter)


def unknown_field_message(spec: ExperimentSpec, key: str, names: list[str]) -> str:
    """'unknown config field' naming the closest fields (``steps`` -> ``quartic_steps, infonce_steps``)."""
    parts = set(key.lower().split("_"))
    close = [n for n in names if parts & set(n.lower().split("_"))]
    close += [n for n in difflib.get_close_matches(key, names, n=3, cutoff=0.6) if n not in close]
    hint = f"did you mean {', '.join(close[:6])}? " if close else ""
    return (f"unknown config field {key!r} for {spec.name}; {hint}(`sslverify run {spec.name} --help` lists every "
            f"field with its type and default; fields: {', '.join(names)})")


def quiet_if_pipe_closed(fn: Callable, *args, **kwargs) -> None:
    """Call a printing function; if the reader of stdout left (``| head``), send the rest of the output to
    /dev/null instead of failing (the run's files are written either way)."""
    try:
        fn(*args, **kwargs)
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # Python's documented recipe: no error at interpreter exit
        except (OSError, ValueError, io.UnsupportedOperation):
            pass


def interrupted_message(out: Path) -> str:
    """One line for Ctrl-C: what was saved under ``out`` and how to resume."""
    batches = len(list((out / "runs").glob("batch-*.json"))) if (out / "runs").is_dir() else 0
    if batches:
        return (f"interrupted: {batches} finished training batch(es) are saved under {out / 'runs'}; run the same "
                f"command again to resume (they are reloaded, not retrained)")
    return (f"interrupted: no finished training batch was saved (only {out / 'config.json'}); run the same command "
            f"again to start over")


class elapsed_line:
    """Context manager: while an experiment runs, one tqdm line on stderr with the elapsed time, the
    previous run's duration (same config, same --out) and the number of sweep batches saved so far.

    It is not a fraction of the work (the harness does not see inside ``run``); training loops that report
    their own steps add their bars below it.  Refreshed every second on a terminal, every 30 s otherwise;
    off when ``enabled`` is false (in-process runs) or ``TQDM_DISABLE`` is set."""

    def __init__(self, name: str, out_dir: Path, cfg: Any, enabled: bool = True):
        self.name, self.out, self.enabled = name, Path(out_dir), enabled
        self.previous = None
        try:
            old = read_json(self.out / "results.json")
            if old.get("config") == to_jsonable(cfg):
                self.previous = float(old["seconds"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        self.runs = self.out / "runs"
        self.before = self._batches()
        self._stop = threading.Event()

    def _batches(self) -> int:
        return len(list(self.runs.glob("batch-*.json"))) if self.runs.is_dir() else 0

    def _postfix(self) -> str:
        parts = []
        if self.previous is not None:
            parts.append(f"previous run of this config: {self.previous:.0f} s")
        saved = self._batches()
        if saved:
            parts.append(f"{saved - self.before} sweep batch(es) trained, {self.before} reloaded"
                         if self.before else f"{saved} sweep batch(es) saved")
        return ", ".join(parts)  # tqdm puts ", " before a non-empty postfix

    def _loop(self, period: float) -> None:
        while not self._stop.wait(period):
            self.bar.set_postfix_str(self._postfix(), refresh=False)
            self.bar.refresh()

    def __enter__(self):
        if not self.enabled:
            return self
        from tqdm.auto import tqdm

        tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        period = 1.0 if tty else 30.0
        self.bar = tqdm(total=None, desc=f"{self.name}: running", file=sys.stderr, leave=False,
                        bar_format="{desc}, {elapsed} elapsed{postfix}", mininterval=period)
        if not self.bar.disable:
            self.bar.set_postfix_str(self._postfix())
            self.thread = threading.Thread(target=self._loop, args=(period,), daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self.enabled:
            return
        self._stop.set()
        if getattr(self, "thread", None) is not None:
            self.thread.join(timeout=2.0)
        self.bar.close()
