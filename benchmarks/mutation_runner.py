"""How benchmarks/mutation.py runs mutmut (step 3): each mutant's tests in a pytest session collected once in
mutmut's fork server, the killer of earlier mutants of the same function first, no message-only mutants."""
from __future__ import annotations

import time
from pathlib import Path

from mutation_messages import MessageCode


class CollectedSession:
    """One pytest session, configured and collected once in mutmut's fork server; every mutant's process
    (forked from it) runs its tests through pytest's own per-test protocol on these items.

    Identical to what ``pytest -x <test ids>`` runs (same items, fixtures, hooks, reports), without paying for
    pytest's start-up and collection in each of thousands of mutant processes (0.1 s CPU each, as much as
    most mutants' tests).  Before a mutant's tests: a fresh setup state (what pytest's runner does at session
    start) and the tests' own ``pytest_sessionstart`` hooks (tests/conftest.py: forget memoised results).
    """

    session = None
    items: dict = {}
    failed = False
    failed_test: str | None = None

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            CollectedSession.failed = True
            CollectedSession.failed_test = CollectedSession.failed_test or report.nodeid

    @classmethod
    def start(cls, runner) -> None:
        from _pytest.config import _prepareconfig
        from _pytest.main import Session
        from mutmut.utils.file_utils import change_cwd

        with change_cwd("mutants"):
            args = ["--rootdir=.", "--tb=native", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order",
                    "--capture=sys", *runner._pytest_add_cli_args, *runner._pytest_add_cli_args_test_selection]
            config = _prepareconfig(args, plugins=[cls()])
            config._do_configure()
            session = Session.from_config(config)
            session.exitstatus = 0
            config.hook.pytest_sessionstart(session=session)
            config.hook.pytest_collection(session=session)
        cls.session, cls.items = session, {item.nodeid: item for item in session.items}

    @classmethod
    def run(cls, tests: list[str]) -> int | None:
        """1 if a test fails (-x: stop there), 0 if all pass; None when a test was not collected here."""
        from _pytest.runner import SetupState
        from mutmut.utils.file_utils import change_cwd

        if cls.session is None or any(t not in cls.items for t in tests):
            return None
        items = [cls.items[t] for t in tests]
        cls.session._setupstate = SetupState()
        for plugin in cls.session.config.pluginmanager.get_plugins():
            if (getattr(plugin, "__file__", None) or "").endswith("conftest.py") and hasattr(plugin, "pytest_sessionstart"):
                plugin.pytest_sessionstart(cls.session)
        with change_cwd("mutants"):
            for i, item in enumerate(items):
                item.ihook.pytest_runtest_protocol(item=item, nextitem=items[i + 1] if i + 1 < len(items) else None)
                if cls.failed:
                    return 1
        return 0


def killer_first(tests: list[str], record: Path) -> list[str]:
    """``tests`` reordered: those named in ``record`` (the tests that killed earlier mutants of the same function,
    one per line, appended as they kill) first, the most recent killer first; then the others in their order.

    Only the order changes, never the set: with ``-x`` a mutant is killed iff one of its tests fails, whichever
    runs first (the tests are independent: memoised results are cleared per mutant).  Mutants of one function
    are mostly killed by the same test, so it runs first instead of after every faster test that passes."""
    try:
        seen = record.read_text().splitlines()
    except OSError:
        return tests
    present = set(tests)
    first = [t for t in dict.fromkeys(reversed(seen)) if t in present]
    return first + [t for t in tests if t not in set(first)]


def run_mutmut(argv: list[str], mutate: list[str], plain_pytest: bool = False) -> int:
    """``mutmut <argv>`` with three additions: no message-only mutants (step 4), each mutant's tests fastest
    first, and (unless ``plain_pytest``) run in a session collected once (CollectedSession)."""
    import mutmut.mutation.file_mutation as fm
    from mutmut.runners.harness import PytestRunner
    from mutmut.state import state

    create = fm.create_mutations
    messages = MessageCode(Path.cwd(), mutate)

    def create_mutations(filename, code, *args, **kwargs):
        module, mutations, ignored_classes, ignored_functions = create(filename, code, *args, **kwargs)
        skip = {id(m) for m in messages.message_only(str(filename), module, mutations)}
        return module, [m for m in mutations if id(m) not in skip], ignored_classes, ignored_functions

    fm.create_mutations = create_mutations

    run_tests = PytestRunner.run_tests
    warm_up = PytestRunner.warm_up
    times = Path("mutant-times.tsv").resolve()

    def collect_once(self):
        if plain_pytest:
            return warm_up(self)
        CollectedSession.start(self)

    killers = Path("mutant-killers").resolve()

    def fastest_first(self, *, mutant_name, tests):
        took = state().duration_by_test
        tests = sorted(tests, key=lambda t: (took.get(t, 0.0), t))
        if mutant_name:  # killer first: the tests that killed earlier mutants of this function, latest first
            tests = killer_first(tests, killers / mutant_name.rsplit("__mutmut_", 1)[0])
        wall, cpu = time.time(), time.process_time()
        code = CollectedSession.run(tests) if mutant_name else None
        if code is None:
            code = run_tests(self, mutant_name=mutant_name, tests=tests)
        elif code == 1 and CollectedSession.failed_test:
            killers.mkdir(exist_ok=True)
            with open(killers / mutant_name.rsplit("__mutmut_", 1)[0], "a") as f:
                f.write(CollectedSession.failed_test + "\n")
        if mutant_name:  # one line per mutant (appends of a short line are atomic): name, exit, wall s, cpu s, tests
            with open(times, "a") as f:
                f.write(f"{mutant_name}\t{code}\t{time.time() - wall:.3f}\t{time.process_time() - cpu:.3f}\t{len(tests)}\n")
        return code

    PytestRunner.warm_up = collect_once
    PytestRunner.run_tests = fastest_first

    from mutmut.__main__ import cli

    try:
        cli.main(args=argv, prog_name="mutmut", standalone_mode=False)
    except SystemExit as exc:  # mutmut exits on a failed clean run / stats run
        return int(exc.code or 0)
    return 0


