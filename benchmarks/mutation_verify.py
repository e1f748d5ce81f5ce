"""Which of some mutants do some tests kill?  The review tool behind benchmarks/mutation_equivalent.txt.

    python benchmarks/mutation_verify.py WORKDIR NAMES TEST [TEST ...]

WORKDIR: a workdir of benchmarks/mutation.py (its ``mutants/`` holds every mutant behind mutmut's trampolines).
NAMES: a file with one mutant name per line (first word of each line; ``#`` lines skipped) or a comma-separated
list.  TEST: test files or node ids of this checkout (``tests/theory/test_x.py::test_y``); they are copied into
the workdir first, so a test written after the run can be checked against its survivors.

Runs the tests on the unmutated code first (they must pass), then once per mutant with ``MUTANT_UNDER_TEST`` set
(mutmut's own switch: the mutant runs wherever the function is called; memoised results are cleared per run by
tests/conftest.py), and prints KILLED / SURVIVED per mutant.  Exit status 0 when every mutant is killed.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: python benchmarks/mutation_verify.py WORKDIR NAMES TEST [TEST ...]", file=sys.stderr)
        return 2
    workdir, names_arg, tests = Path(argv[0]), argv[1], argv[2:]
    mdir = workdir / "mutants"
    if not mdir.is_dir():
        print(f"error: WORKDIR {workdir} has no mutants/ folder (run benchmarks/mutation.py --workdir first)",
              file=sys.stderr)
        return 2
    if os.path.exists(names_arg):
        names = [ln.split()[0] for ln in open(names_arg, encoding="utf-8")
                 if ln.strip() and not ln.startswith("#") and ln.split()[0].startswith("sslverify.")]
    else:
        names = [n for n in names_arg.split(",") if n]
    for t in tests:
        rel = t.split("::")[0]
        if not (ROOT / rel).is_file():
            print(f"error: TEST {rel} is not a file of this checkout", file=sys.stderr)
            return 2
        (mdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, mdir / rel)
    os.chdir(mdir)
    sys.path.insert(0, str(mdir))
    os.environ.update(HYPOTHESIS_PROFILE="ci", OMP_NUM_THREADS="1", SSLVERIFY_THREADS="1")
    import pytest

    class FirstFailure:
        text: str | None = None

        def pytest_runtest_logreport(self, report):
            if report.failed and FirstFailure.text is None:
                FirstFailure.text = report.nodeid + ": " + str(report.longrepr).strip().splitlines()[-1][:100]

    def run(mutant: str) -> int:
        os.environ["MUTANT_UNDER_TEST"] = mutant  # "" runs the unmutated code
        FirstFailure.text = None
        out, sys.stdout = sys.stdout, open(os.devnull, "w")
        try:
            return int(pytest.main([*tests, "-x", "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception",
                                    "-o", "addopts=", "--tb=line", "-W", "ignore"], plugins=[FirstFailure()]))
        finally:
            sys.stdout.close()
            sys.stdout = out

    if run("") != 0:
        print(f"the tests fail on the unmutated code: {FirstFailure.text}", file=sys.stderr)
        return 2
    survived = []
    for name in names:
        t0 = time.time()
        code = run(name)
        if code == 1:
            print(f"KILLED   {name}  ({time.time() - t0:.1f}s) {FirstFailure.text}", flush=True)
        else:
            print(f"SURVIVED {name}" + ("" if code == 0 else f"  (pytest exit {code})"), flush=True)
            survived.append(name)
    print(f"summary: {len(names) - len(survived)} killed of {len(names)}")
    return 0 if not survived else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
