"""Mutation testing of theory/ and the claims' decisions (verdicts/builtin/) with mutmut, as one number.

    python benchmarks/mutation.py [--max-children 2] [--time-limit 10800] [--workdir DIR] [--only PATH ...]

What it does, and why each step is needed:

1. Copies the working tree into a *wheel-shaped* folder (``sslverify/theory``, ``sslverify/numerics``,
   ...): mutmut derives a module's name from its file path, and our modules import as
   ``sslverify.theory...`` while the source checkout keeps them in top-level folders.
2. Moves the decorators ``@claim(...)``, ``@lru_cache`` / ``@functools.lru_cache`` / ``@cache`` of
   module-level functions after the definition (``f = claim(...)(f)``): mutmut 3 never mutates a
   decorated function, which would leave every claim decision and every memoised derivation
   untested.  The rewrite is semantically the same (those decorators only wrap the function).
3. Runs mutmut (``mutmut run``, through ``mutation_runner.run_mutmut``) over ``sslverify/theory`` and
   ``sslverify/verdicts/builtin`` with ``tests/theory`` (the proof checker) as the test suite, each
   mutant against only the tests that executed the mutated function in mutmut's stats run (its
   per-mutant test selection), the tests that killed earlier mutants of the same function first (latest
   first; ``mutant-killers/``), then the others fastest first, stopping at the first failure (``-x``).  Mutants
   run in processes forked from a server that has imported and collected the tests; the tests'
   hooks (tests/conftest.py, active only when ``MUTANT_UNDER_TEST`` is set) clear memoised
   derivations and evidence at session start, so a mutant is really executed, never answered from a
   cache, and clear them before *every* test of the stats run, so that each test that needs a
   derivation is recorded as covering it (not only the first one that filled the cache).
   ``-p no:unraisableexception`` spares each forked mutant pytest's five full ``gc.collect()`` calls
   (0.7 s per mutant on the imported SymPy/torch heap, more than most mutants' tests take).
4. Does not create *message-only* mutants: mutations inside ``raise ...`` statements, ``assert``
   messages, and the reason argument of ``Outcome(verdict, reason, ...)`` / ``inconclusive(reason,
   ...)``.  They change only the text of an error or of a verdict's one-line reason, never what is
   raised or decided (the verdict argument, the details and every condition stay mutated);
   ``mutation_messages.MessageCode`` finds that code.
5. Reads mutmut's results and prints killed / survived / equivalent-by-review, where the reviewed
   equivalent survivors are listed with a one-line reason in ``benchmarks/mutation_equivalent.txt``
   (``<mutant name>  # reason``).  A mutant of a function that no test of tests/theory executes
   ("no tests") counts as survived.  Reviewed survivors that are not equivalent but have no honest killing test
   (they change round-off only, or random draws into others equal in law) are listed, with the reason, in
   ``benchmarks/mutation_unkillable.txt``: they stay survivors in the rate, but are not "unreviewed".  The last
   lines are ``mutants_killed``, ``mutants_survived``, ``mutants_equivalent``, ``mutants_reviewed_unkillable``,
   ``mutants_unreviewed``, ``seconds`` and ``kill_rate`` = killed / (killed + survived − equivalent).

``--killers-from DIR`` seeds ``mutant-killers/`` from a previous workdir (the order of each mutant's tests
only; what is killed does not depend on it).  A previous ``--workdir`` is reused incrementally (mutmut keeps the results of functions whose source
did not change); for the reported number use a fresh one.  ``--only`` restricts the run to some files.
Extra arguments after ``--`` go to ``mutmut run`` (e.g. mutant names to re-run).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper modules beside this script
from mutation_runner import CollectedSession, killer_first, run_mutmut  # noqa: E402,F401  (re-exported)

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"numerics": "sslverify/numerics", "theory": "sslverify/theory", "experiments": "sslverify/experiments",
          "verdicts": "sslverify/verdicts"}
MUTATE = ["sslverify/theory/", "sslverify/verdicts/builtin/"]
TESTS = ["tests/theory/"]
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.txt"
#: reviewed survivors that are NOT equivalent but have no honest killing test (a change of round-off only, or of
#: random draws equal in law): they stay survivors in the kill rate, and are not reported as unreviewed
UNKILLABLE = ROOT / "benchmarks" / "mutation_unkillable.txt"
MOVABLE = re.compile(r"^(claim|lru_cache|cache|functools\.lru_cache|functools\.cache)\b")
KILLED = ("killed", "timeout", "caught by type check", "segfault")


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


def mutmut_config(paths: list[str]) -> str:
    return ("\n[tool.mutmut]\n"
            f"source_paths = {json.dumps(paths)}\n"
            f"pytest_add_cli_args_test_selection = {json.dumps(TESTS)}\n"
            'also_copy = ["sslverify/", "tests/", "pyproject.toml"]\n'
            # mutmut adds -x itself; no:unraisableexception: see the module docstring (step 3)
            'pytest_add_cli_args = ["-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception"]\n'
            'process_isolation = "forkserver"\n'
            # wall limit per mutant = multiplier * (its tests' time in the stats run + constant) (CPU limit twice
            # that): a mutant that loops (a Newton iteration whose stopping test was flipped) is stopped after a
            # few times what its tests need, not the default 15x; a timeout counts as killed and is reported
            "timeout_multiplier = 5.0\n"
            "timeout_constant = 2.0\n"
            "use_git_change_detection = false\n")


def remove_stale(workdir: Path, wanted: set[str]) -> list[str]:
    """Delete the Python files (and mutmut's ``.meta`` records of them) that an earlier copy left in ``workdir``
    and in mutmut's ``workdir/mutants`` but that the checkout no longer has (a renamed test file would still be
    collected, and fail or pass against code it was not written for)."""
    removed = []
    for base in (workdir, workdir / "mutants"):
        for top in ("sslverify", "tests"):
            for f in sorted((base / top).rglob("*.py")) if (base / top).is_dir() else []:
                rel = f.relative_to(base).as_posix()
                if rel not in wanted:
                    f.unlink()
                    meta = f.with_name(f.name + ".meta")
                    if meta.exists():
                        meta.unlink()
                    removed.append(f"{base.name}/{rel}" if base != workdir else rel)
    return removed


def prepare(workdir: Path, paths: list[str]) -> int:
    moved = 0
    stale = remove_stale(workdir, {wheel_path(rel) for rel in tracked_files()})
    if stale:
        print(f"removed {len(stale)} files an earlier copy left and the checkout no longer has: "
              f"{', '.join(stale[:6])}{' ...' if len(stale) > 6 else ''}", flush=True)
    for rel in tracked_files():
        dest = workdir / wheel_path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = (ROOT / rel).read_bytes()
        if rel.endswith(".py") and wheel_path(rel).startswith(tuple(MUTATE)):
            text, n = move_decorators(src.decode("utf-8"))
            moved += n
            if not dest.exists() or dest.read_text(encoding="utf-8") != text:  # keep mtimes: mutmut reuses results
                dest.write_text(text, encoding="utf-8")
        elif not dest.exists() or dest.read_bytes() != src:
            dest.write_bytes(src)
    # the source documents live beside the checkout (<checkout>/../shared/seeds): the tests find them three
    # folders above tests/theory/x.py (<workdir>/shared from <workdir>/mutants/tests/theory), the theory three
    # above theory/rusak/x.py (<workdir>/mutants/shared from <workdir>/mutants/sslverify/theory/rusak)
    shared = ROOT.parent / "shared"
    for link in (workdir / "shared", workdir / "mutants" / "shared"):
        if shared.is_dir() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(shared, target_is_directory=True)
    pyproject = workdir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"\[tool\.mutmut\].*?(?=\n\[|\Z)", "", text, flags=re.S).rstrip() + "\n" + mutmut_config(paths)
    pyproject.write_text(text, encoding="utf-8")
    return moved


# ----------------------------------------------------------------------------- results
_FINGERPRINT = re.compile(r"\{([0-9a-f]{10})\}\s*$")


def load_equivalent(path: Path | None = None) -> dict[str, tuple[str, str | None]]:
    """mutant name -> (reason, fingerprint of the reviewed diff) from benchmarks/mutation_equivalent.txt (or
    ``path``: benchmarks/mutation_unkillable.txt has the same format).

    A line is ``<mutant name>  # <one-line reason>  {<fingerprint>}``: the fingerprint (survivors.txt, or the
    script's list of unreviewed survivors) is a hash of the mutant's diff, so that an entry stops counting when
    the code under that name changed and the mutant is no longer the one that was reviewed."""
    out = {}
    path = EQUIVALENT if path is None else path
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                fp = _FINGERPRINT.search(reason)
                out[name.strip()] = (_FINGERPRINT.sub("", reason).strip(), fp.group(1) if fp else None)
    return out


def report_mutants() -> int:
    """(in the workdir) every mutant's status, and for survivors the fingerprint of their diff, as JSON on stdout;
    writes survivors.txt: each survivor with its diff (what to review)."""
    import hashlib

    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    out, lines = {}, []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            entry = {"status": status_by_exit_code[code]}
            if entry["status"] in ("survived", "no tests"):
                diff = [d for d in get_diff_for_mutant(name, path=path).splitlines()
                        if d[:1] in "+-" and not d.startswith(("+++", "---"))]
                entry["fp"] = hashlib.sha1("\n".join(diff).encode()).hexdigest()[:10]
                lines += [f"{name}  [{entry['status']}]  {{{entry['fp']}}}"] + [f"    {d}" for d in diff]
            out[name] = entry
    Path("survivors.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps(out))
    return 0


def results(workdir: Path) -> dict[str, dict]:
    """mutant name -> {"status": ..., "fp": fingerprint of a survivor's diff}."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--report"], cwd=workdir,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return {}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--report"]:  # inside the workdir (see results)
        return report_mutants()
    if argv[:1] == ["--run-mutmut"]:  # the mutmut process itself (see run_mutmut)
        plain = "--plain-pytest" in argv
        return run_mutmut([a for a in argv[1:] if a != "--plain-pytest"], MUTATE, plain_pytest=plain)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=2, help="parallel mutant workers (default 2)")
    ap.add_argument("--time-limit", type=float, default=10800, help="seconds for `mutmut run` (default 10800: a fresh full run took 146 minutes on 2 cores; the margin is for the mutants and tests added since)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the prepared copy here (default: a temp dir)")
    ap.add_argument("--only", nargs="*", default=None, help="mutate only these source paths (e.g. theory/gaussian.py)")
    ap.add_argument("--killers-from", type=Path, default=None,
                    help="a previous workdir whose mutant-killers/ seeds the killer-first order (order only)")
    ap.add_argument("--plain-pytest", action="store_true",
                    help="run each mutant's tests with a fresh pytest.main (slower; to check the collected session)")
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
    if args.killers_from is not None and not (args.killers_from / "mutant-killers").is_dir():
        print(f"error: --killers-from {args.killers_from} has no mutant-killers/ folder", file=sys.stderr)
        return 2
    workdir.mkdir(parents=True, exist_ok=True)
    if args.killers_from is not None:  # only the order of each mutant's tests changes, never the set (killer_first)
        for record in (args.killers_from / "mutant-killers").iterdir():
            dest = workdir / "mutant-killers" / record.name
            dest.parent.mkdir(exist_ok=True)
            if not dest.exists():
                shutil.copyfile(record, dest)
    paths = [wheel_path(p) for p in args.only] if args.only else MUTATE
    moved = prepare(workdir, paths)
    print(f"prepared {workdir} ({moved} decorated functions made mutable); running mutmut on {' '.join(paths)} "
          f"(max {args.max_children} children, limit {args.time_limit:.0f} s)", flush=True)
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci", SSLVERIFY_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=str(workdir))
    env.pop("MUTANT_UNDER_TEST", None)
    t0 = time.time()
    log = workdir / "mutmut-run.log"
    with open(log, "w") as out:
        try:
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--run-mutmut",
                                   *(["--plain-pytest"] if args.plain_pytest else []), "run",
                                   "--max-children", str(args.max_children), *extra],
                                  cwd=workdir, env=env, timeout=args.time_limit, stdout=out, stderr=subprocess.STDOUT)
            completed = proc.returncode == 0
        except subprocess.TimeoutExpired:
            completed = False
    took = time.time() - t0
    tail = log.read_text(errors="replace")[-1500:]
    info = results(workdir)
    status = {m: e["status"] for m, e in info.items()}
    completed = completed and "not checked" not in status.values()
    equivalent = load_equivalent()
    killed = [m for m, s in status.items() if s in KILLED]
    timeouts = [m for m, s in status.items() if s == "timeout"]
    no_tests = [m for m, s in status.items() if s == "no tests"]
    survived = [m for m, s in status.items() if s == "survived"] + no_tests
    other = {m: s for m, s in status.items() if m not in killed and m not in survived}
    eq = [m for m in survived if m in equivalent and equivalent[m][1] == info[m].get("fp")]
    changed = [m for m in survived if m in equivalent and m not in eq]
    unkillable = load_equivalent(UNKILLABLE)
    hard = [m for m in survived if m not in eq and m in unkillable and unkillable[m][1] == info[m].get("fp")]
    unreviewed = sorted(set(survived) - set(eq) - set(hard))
    stale = sorted(set(equivalent) - set(survived))
    print("mutmut run completed" if completed else
          f"mutmut run did NOT complete (time limit {args.time_limit:.0f} s or an error); its log ends:\n{tail}")
    print(f"{len(status)} mutants in {took:.0f} s; statuses: "
          + ", ".join(f"{s} {sum(1 for v in status.values() if v == s)}" for s in sorted(set(status.values()))))
    if other:
        print(f"not decided ({len(other)}): e.g. " + ", ".join(list(other)[:5]))
    if stale:
        print(f"listed as equivalent but not a survivor of this run ({len(stale)}): e.g. " + ", ".join(stale[:5]))
    if changed:
        print(f"listed as equivalent but their diff changed since the review ({len(changed)}): " + ", ".join(changed[:5]))
    print(f"survivors not reviewed ({len(unreviewed)}; diffs in {workdir / 'survivors.txt'}):")
    for m in unreviewed:
        print(f"  {m}  {{{info[m].get('fp')}}}{'  (no test executes it)' if m in no_tests else ''}")
    denom = len(killed) + len(survived) - len(eq)
    print(f"mutants_killed: {len(killed)}  (of which {len(timeouts)} timed out)")
    print(f"mutants_survived: {len(survived)}  (of which {len(no_tests)} in functions no test of {TESTS[0]} executes)")
    print(f"mutants_equivalent: {len(eq)}")
    print(f"mutants_reviewed_unkillable: {len(hard)}  (survivors reviewed, not equivalent, no honest test; {UNKILLABLE.name})")
    print(f"mutants_unreviewed: {len(unreviewed)}")
    print(f"seconds: {took:.0f}")
    print(f"kill_rate: {len(killed) / denom:.3f}" if denom else "kill_rate: n/a")
    if args.workdir is None and completed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"mutmut state kept in {workdir} (cd there; `python -m mutmut results`, `python -m mutmut show NAME`)")
    return 0 if completed else 1


if __name__ == "__main__":
    raise SystemExit(main())
