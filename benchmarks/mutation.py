"""Mutation testing of theory/ and the claims' decisions (verdicts/builtin/) with mutmut, as one number.

    python benchmarks/mutation.py [--max-children 2] [--time-limit 3300] [--workdir DIR] [--only PATH ...]

What it does, and why each step is needed:

1. Copies the working tree into a *wheel-shaped* folder (``sslverify/theory``, ``sslverify/numerics``,
   ...): mutmut derives a module's name from its file path, and our modules import as
   ``sslverify.theory...`` while the source checkout keeps them in top-level folders.
2. Moves the decorators ``@claim(...)``, ``@lru_cache`` / ``@functools.lru_cache`` / ``@cache`` of
   module-level functions after the definition (``f = claim(...)(f)``): mutmut 3 never mutates a
   decorated function, which would leave every claim decision and every memoised derivation
   untested.  The rewrite is semantically the same (those decorators only wrap the function).
3. Runs ``mutmut run`` over ``sslverify/theory`` and ``sslverify/verdicts/builtin`` with
   ``tests/theory`` (the proof checker) as the test suite.  Mutants run in forked processes; the
   tests' ``pytest_sessionstart`` hook (tests/conftest.py) clears memoised derivations and evidence
   when ``MUTANT_UNDER_TEST`` is set, so a mutant is really executed, never answered from a cache.
4. Reads mutmut's results and prints killed / survived / equivalent-by-review, where the reviewed
   equivalent survivors are listed with a one-line reason in ``benchmarks/mutation_equivalent.txt``
   (``<mutant name>  # reason``).  The last lines are ``mutants_killed``, ``mutants_survived``,
   ``mutants_equivalent`` and ``kill_rate`` = killed / (killed + survived − equivalent).

The run takes long (thousands of mutants); ``--only`` restricts it to some files for a quick look.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"numerics": "sslverify/numerics", "theory": "sslverify/theory", "experiments": "sslverify/experiments",
          "verdicts": "sslverify/verdicts"}
MUTATE = ["sslverify/theory/", "sslverify/verdicts/builtin/"]
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"
MOVABLE = re.compile(r"^(claim|lru_cache|cache|functools\.lru_cache|functools\.cache)\b")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return [f for f in out if not f.startswith(("mutants/", "build/")) and (ROOT / f).is_file()]


def wheel_path(rel: str) -> str:
    head, _, rest = rel.partition("/")
    if head in LAYERS and rest:
        return f"{LAYERS[head]}/{rest}"
    return rel


def move_decorators(source: str) -> tuple[str, int]:
    """Rewrite module-level ``@deco`` + ``def f`` into ``def f`` + ``f = deco(f)`` for the MOVABLE decorators."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (start line idx, end line idx exclusive, replacement)
    moved = 0
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.decorator_list:
            continue
        texts = [ast.get_source_segment(source, d) for d in node.decorator_list]
        if not all(t and MOVABLE.match(t) for t in texts):
            continue
        first = min(d.lineno for d in node.decorator_list) - 1  # the '@' line
        body_start = node.lineno - 1  # the 'def' line
        after = "".join(f"{node.name} = {t}({node.name})\n" for t in reversed(texts))
        edits.append((first, body_start, ""))
        edits.append((node.end_lineno, node.end_lineno, after))
        moved += 1
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = [text] if text else []
    return "".join(lines), moved


def prepare(workdir: Path) -> int:
    moved = 0
    for rel in tracked_files():
        dest = workdir / wheel_path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = (ROOT / rel).read_bytes()
        if rel.endswith(".py") and wheel_path(rel).startswith(tuple(MUTATE)):
            text, n = move_decorators(src.decode("utf-8"))
            moved += n
            dest.write_text(text, encoding="utf-8")
        else:
            dest.write_bytes(src)
    pyproject = workdir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"\[tool\.mutmut\].*?(?=\n\[|\Z)", "", text, flags=re.S)
    text += ("\n[tool.mutmut]\n"
             f"paths_to_mutate = {json.dumps(MUTATE)}\n"
             'tests_dir = ["tests/theory/"]\n'
             'also_copy = ["sslverify/", "tests/", "pyproject.toml"]\n'
             'pytest_add_cli_args = ["-x", "-q", "-p", "no:cacheprovider"]\n'
             'process_isolation = "forkserver"\n')
    pyproject.write_text(text, encoding="utf-8")
    return moved


def load_equivalent() -> dict[str, str]:
    out = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                out[name.strip()] = reason.strip()
    return out


def results(workdir: Path) -> dict[str, str]:
    """mutant name -> status, from `mutmut results --all true`."""
    proc = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=workdir,
                          capture_output=True, text=True)
    status = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*([\w.]+__mutmut_\d+):\s*(.+)$", line)
        if m:
            status[m.group(1)] = m.group(2).strip()
    return status


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=2, help="parallel mutant workers (default 2)")
    ap.add_argument("--time-limit", type=float, default=3300, help="seconds for `mutmut run` (default 3300)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the prepared copy here (default: a temp dir)")
    ap.add_argument("--only", nargs="*", default=None, help="mutate only these source paths (e.g. theory/gaussian.py)")
    args = ap.parse_args(argv)
    if shutil.which("git") is None:
        print("error: git is needed to list the files to copy", file=sys.stderr)
        return 2
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("error: mutmut is not installed (pip install mutmut)", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sslverify-mutation-"))
    if workdir.exists() and any(workdir.iterdir()) and not (workdir / "pyproject.toml").exists():
        print(f"error: --workdir {workdir} is not empty and not a previous mutation copy", file=sys.stderr)
        return 2
    workdir.mkdir(parents=True, exist_ok=True)
    moved = prepare(workdir)
    if args.only:
        only = [wheel_path(p) for p in args.only]
        text = (workdir / "pyproject.toml").read_text()
        text = re.sub(r"paths_to_mutate = .*", f"paths_to_mutate = {json.dumps(only)}", text)
        (workdir / "pyproject.toml").write_text(text)
    print(f"prepared {workdir} ({moved} decorated functions made mutable); running mutmut "
          f"(max {args.max_children} children, limit {args.time_limit:.0f} s)", flush=True)
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci", SSLVERIFY_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=str(workdir))
    t0 = time.time()
    try:
        proc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)],
                              cwd=workdir, env=env, timeout=args.time_limit, capture_output=True, text=True)
        completed = proc.returncode == 0
        tail = (proc.stdout + proc.stderr)[-2000:]
    except subprocess.TimeoutExpired as exc:
        completed = False
        tail = f"time limit {args.time_limit:.0f} s reached; results so far follow\n" + str(exc.stdout or "")[-500:]
    status = results(workdir)
    equivalent = load_equivalent()
    killed = [m for m, s in status.items() if s in ("killed", "timeout", "caught by type check")]
    survived = [m for m, s in status.items() if s == "survived"]
    other = {m: s for m, s in status.items() if m not in killed and m not in survived}
    eq = [m for m in survived if m in equivalent]
    unreviewed = sorted(set(survived) - set(eq))
    print(tail if not completed else "mutmut run completed")
    print(f"{len(status)} mutants in {time.time() - t0:.0f} s; statuses: "
          + ", ".join(f"{s} {sum(1 for v in status.values() if v == s)}" for s in sorted(set(status.values()))))
    if other:
        print(f"not decided ({len(other)}): e.g. " + ", ".join(list(other)[:5]))
    print(f"survivors not reviewed ({len(unreviewed)}):")
    for m in unreviewed:
        print(f"  {m}")
    denom = len(killed) + len(survived) - len(eq)
    print(f"mutants_killed: {len(killed)}")
    print(f"mutants_survived: {len(survived)}")
    print(f"mutants_equivalent: {len(eq)}")
    print(f"kill_rate: {len(killed) / denom:.3f}" if denom else "kill_rate: n/a")
    if args.workdir is None and completed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"mutmut state kept in {workdir} (cd there; `python -m mutmut results`, `python -m mutmut show NAME`)")
    return 0 if completed else 1


if __name__ == "__main__":
    raise SystemExit(main())
