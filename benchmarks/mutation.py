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
3. Runs mutmut (``mutmut run``, through :func:`run_mutmut` below) over ``sslverify/theory`` and
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
   raised or decided (the verdict argument, the details and every condition stay mutated).
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
#: calls whose argument at this position / keyword is a message, not logic -> whether None may replace it (the
#: reason of an Outcome must be a str; inconclusive(reason, details) is the report of a failure of our own
#: machinery, so both its reason and its diagnostic details are its message, and details=None means {})
MESSAGE_ARGS = {"Outcome": {1: False, "reason": False},
                "inconclusive": {0: False, "reason": False, 1: True, "details": True}}
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


# ----------------------------------------------------------------------------- message-only code
class MessageCode:
    """Which code of the mutated modules only builds a message (module docstring, step 4).

    A *sink* is a ``raise`` statement, an ``assert``'s message, the reason argument of ``Outcome`` /
    ``inconclusive`` (MESSAGE_ARGS), or an argument passed to a *message parameter* of one of the mutated
    functions.  A message parameter is a parameter that is never assigned in its function and is read only
    inside sinks (``_check_nonneg("gamma", gamma)``: ``name`` only appears in the ValueError's text); a
    *message variable* is a local variable assigned only by plain ``v = ...`` and read only inside sinks (a
    string joined for a reason); a *message function* is one that is referred to only from sinks (a
    formatter of a reason) and nowhere outside the mutated modules.  These facts feed each other, so they are
    solved to a fixed point over all mutated modules.  Excluded from mutation: every node inside a sink, the
    value of a message variable and the default of a message parameter, message functions entirely, and a
    call's mutation that only replaces a message argument by ``None`` (where every read of that parameter is
    formatted into an f-string or raised) or drops a trailing message argument that has a default.  Not
    excluded: ``v = None`` for a message variable or ``Outcome(v, None, ...)`` where ``None`` would reach the
    reason itself (Outcome rejects a reason that is not a str: a behaviour change, not a message change).
    """

    def __init__(self, root: Path, paths: list[str]):
        import libcst as cst

        self.cst = cst
        self.modules: dict[str, object] = {}
        for rel in paths:
            base = root / rel
            files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
            for f in files:
                self.modules[self.module_name(str(f.relative_to(root)))] = cst.parse_module(f.read_text("utf-8"))
        own = {str(root / (m.replace(".", "/") + ".py")) for m in self.modules}
        own |= {str(root / m.replace(".", "/") / "__init__.py") for m in self.modules}
        self.other_text = "\n".join(f.read_text("utf-8", errors="replace") for f in root.rglob("*.py")
                                    if str(f) not in own and "/mutants/" not in str(f))
        self.params: dict[tuple[str, str], dict[str, dict]] = {}  # (module, function) -> message params
        self.whole: set[tuple[str, str]] = set()  # message functions
        for _ in range(20):
            before = (repr(sorted((k, sorted(v.items(), key=str)) for k, v in self.params.items())), sorted(self.whole))
            facts = {mod: self.analyse(mod, module) for mod, module in self.modules.items()}
            self.params = {k: v for f in facts.values() for k, v in f["params"].items()}
            refs_outside: set[tuple[str, str]] = set()
            refs_inside: set[tuple[str, str]] = set()
            for f in facts.values():
                refs_outside |= f["refs_outside"]
                refs_inside |= f["refs_inside"]
            self.whole = {key for key in refs_inside - refs_outside
                          if not re.search(rf"\b{re.escape(key[1])}\b", self.other_text)}
            after = (repr(sorted((k, sorted(v.items(), key=str)) for k, v in self.params.items())), sorted(self.whole))
            if after == before:
                break

    @staticmethod
    def module_name(rel: str) -> str:
        rel = rel[:-3] if rel.endswith(".py") else rel
        parts = rel.replace("\\", "/").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    # -- helpers
    def _nodes(self, node) -> list:
        out = []
        cst = self.cst

        class All(cst.CSTVisitor):
            def on_visit(self, n) -> bool:
                out.append(n)
                return True

        node.visit(All())
        return out

    def _imports(self, mod: str, module) -> dict[str, tuple]:
        cst = self.cst
        out: dict[str, tuple] = {}
        package = mod.rsplit(".", 1)[0] if not mod.endswith("__init__") else mod
        for stmt in module.body:
            for small in getattr(stmt, "body", []) if isinstance(stmt, cst.SimpleStatementLine) else []:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    dots = len(small.relative)
                    base = cst.helpers.get_full_name_for_node(small.module) if small.module else ""
                    if dots:
                        anchor = package.split(".")
                        anchor = anchor[:len(anchor) - dots + 1]
                        base = ".".join(anchor + ([base] if base else []))
                    for alias in small.names:
                        name = cst.helpers.get_full_name_for_node(alias.name)
                        local = alias.asname.name.value if alias.asname else name
                        out[local] = ("mod", f"{base}.{name}") if f"{base}.{name}" in self.modules else ("func", base, name)
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.asname:
                            out[alias.asname.name.value] = ("mod", cst.helpers.get_full_name_for_node(alias.name))
        return out

    def _target(self, mod: str, imports: dict, funcs: dict, func_node):
        """(module, function) a call or reference resolves to, among the mutated modules' functions."""
        cst = self.cst
        if isinstance(func_node, cst.Name):
            if func_node.value in funcs:
                return (mod, func_node.value)
            imp = imports.get(func_node.value)
            if imp and imp[0] == "func" and imp[1] in self.modules:
                return (imp[1], imp[2])
        elif isinstance(func_node, cst.Attribute) and isinstance(func_node.value, cst.Name):
            imp = imports.get(func_node.value.value)
            if imp and imp[0] == "mod" and imp[1] in self.modules:
                return (imp[1], func_node.attr.value)
        return None

    def _message_args(self, mod, imports, funcs, call) -> list[tuple[object, int | str, bool | None]]:
        """(arg, position or keyword, None-safe?) of a call's arguments that are messages; None-safe None = a
        reason (MESSAGE_ARGS), whose None Outcome rejects."""
        cst = self.cst
        f = call.func
        bare = f.value if isinstance(f, cst.Name) else None
        target = self._target(mod, imports, funcs, f)
        table = self.params.get(target, {}) if target else {}
        out, pos = [], 0
        for arg in call.args:
            if arg.star:
                break
            key = arg.keyword.value if arg.keyword else pos
            if bare in MESSAGE_ARGS and key in MESSAGE_ARGS[bare]:
                out.append((arg, key, True if MESSAGE_ARGS[bare][key] else None))
            else:
                for pname, info in table.items():
                    if key == pname or key == info["index"]:
                        out.append((arg, key, info["none_safe"]))
            if not arg.keyword:
                pos += 1
        return out

    def analyse(self, mod: str, module) -> dict:
        """Sinks of one module under the current tables: node ids to exclude, call mutations that only touch
        message arguments, message parameters of its functions, references to its functions."""
        cst = self.cst
        imports = self._imports(mod, module)
        funcs = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
        excluded: set[int] = set()
        calls: dict[int, tuple] = {}  # id(Call) -> (call, [(arg, key, none_safe)], target)
        params_out: dict[tuple[str, str], dict[str, dict]] = {}
        refs_inside: set[tuple[str, str]] = set()
        refs_outside: set[tuple[str, str]] = set()
        for fname, fdef in funcs.items():
            if (mod, fname) in self.whole:
                excluded |= {id(n) for n in self._nodes(fdef)}
            parent: dict[int, object] = {}
            nodes = []

            class Walk(cst.CSTVisitor):
                def on_visit(self, n) -> bool:
                    nodes.append(n)
                    for c in n.children:
                        parent[id(c)] = n
                    return True

            fdef.body.visit(Walk())
            # names in store / non-variable positions
            store_ids, complex_store, simple = set(), set(), {}
            skip_ids = set()
            for n in nodes:
                if isinstance(n, cst.Attribute):
                    skip_ids.add(id(n.attr))
                elif isinstance(n, cst.Arg) and n.keyword is not None:
                    skip_ids.add(id(n.keyword))
                elif isinstance(n, (cst.FunctionDef, cst.ClassDef)):
                    skip_ids.add(id(n.name))
                    complex_store.add(n.name.value)
                elif isinstance(n, (cst.ImportAlias,)):
                    skip_ids |= {id(x) for x in self._nodes(n)}
                targets = []
                if isinstance(n, cst.Assign):
                    if len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
                        simple.setdefault(n.targets[0].target.value, []).append(n)
                        store_ids.add(id(n.targets[0].target))
                    else:
                        targets = [t.target for t in n.targets]
                elif isinstance(n, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
                    targets = [n.target]
                elif isinstance(n, (cst.For, cst.CompFor)):
                    targets = [n.target]
                elif isinstance(n, cst.AsName):
                    targets = [n.name]
                elif isinstance(n, cst.Del):
                    targets = [n.target]
                elif isinstance(n, cst.Param):
                    targets = [n.name]
                elif isinstance(n, (cst.Global, cst.Nonlocal)):
                    targets = [x.name for x in n.names]
                for t in targets:
                    for x in self._nodes(t):
                        if isinstance(x, cst.Name):
                            store_ids.add(id(x))
                            complex_store.add(x.value)
            loads: dict[str, list] = {}
            for n in nodes:
                if isinstance(n, cst.Name) and id(n) not in store_ids and id(n) not in skip_ids:
                    loads.setdefault(n.value, []).append(n)
            # sinks: (root node, kind) with kind "raise" (None-safe), "reason", or an arg's none_safe flag
            roots: dict[int, tuple[object, object]] = {}
            for n in nodes:
                if isinstance(n, cst.Raise):
                    roots[id(n)] = (n, "raise")
                elif isinstance(n, cst.Assert) and n.msg is not None:
                    roots[id(n.msg)] = (n.msg, "raise")
                elif isinstance(n, cst.Call):
                    margs = self._message_args(mod, imports, funcs, n)
                    if margs:
                        calls[id(n)] = (n, margs)
                        for arg, _key, safe in margs:
                            roots[id(arg.value)] = (arg.value, "reason" if safe is None else ("param", safe))
            message_vars: dict[str, bool] = {}
            while True:
                inside = set()
                for node, _kind in roots.values():
                    inside |= {id(x) for x in self._nodes(node)}

                def none_safe(load) -> bool:
                    n = load
                    while n is not None:
                        if isinstance(n, cst.FormattedStringExpression):
                            return True
                        r = roots.get(id(n))
                        if r is not None:
                            kind = r[1]
                            if kind == "raise" or (isinstance(kind, tuple) and kind[1] and n is load):
                                return True
                        n = parent.get(id(n))
                    return False

                grew = False
                for v, assigns in simple.items():
                    if v in complex_store or v in message_vars or not loads.get(v):
                        continue
                    if all(id(x) in inside for x in loads[v]):
                        message_vars[v] = all(none_safe(x) for x in loads[v])
                        for a in assigns:
                            roots[id(a.value)] = (a.value, "var")
                        grew = True
                if not grew:
                    break
            for v, safe in message_vars.items():
                if safe:  # `v = None` only changes what the message shows
                    excluded |= {id(a) for a in simple[v]}
            for node, _kind in roots.values():
                excluded |= {id(x) for x in self._nodes(node)}
            # message parameters of this function
            table = {}
            positional = list(fdef.params.posonly_params) + list(fdef.params.params)
            for index, prm in [(i, q) for i, q in enumerate(positional)] + [(None, q) for q in fdef.params.kwonly_params]:
                name = prm.name.value
                if name in complex_store or name in simple or not loads.get(name):
                    continue
                if all(id(x) in inside for x in loads[name]):
                    table[name] = {"index": index, "default": prm.default is not None,
                                   "none_safe": all(none_safe(x) for x in loads[name])}
                    if prm.default is not None:
                        excluded |= {id(x) for x in self._nodes(prm.default)}
            if table:
                params_out[(mod, fname)] = table
            # references to mutated functions from this function
            for n in nodes:
                ref = None
                if isinstance(n, cst.Name) and id(n) not in store_ids and id(n) not in skip_ids:
                    ref = self._target(mod, imports, funcs, n)
                elif isinstance(n, cst.Attribute):
                    ref = self._target(mod, imports, funcs, n)
                if ref and ref != (mod, fname) and ref[1] in {s.name.value for s in self.modules[ref[0]].body
                                                              if isinstance(s, cst.FunctionDef)}:
                    (refs_inside if id(n) in inside else refs_outside).add(ref)
        # module-level references (constants, decorators moved after the definitions, __all__ ...)
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef):
                continue
            for n in self._nodes(stmt):
                if isinstance(n, (cst.Name, cst.Attribute)):
                    ref = self._target(mod, imports, funcs, n)
                    if ref:
                        refs_outside.add(ref)
                elif isinstance(n, cst.SimpleString) and n.evaluated_value in funcs:  # __all__ = ["name", ...]
                    refs_outside.add((mod, n.evaluated_value))
        return {"excluded": excluded, "calls": calls, "params": params_out, "refs_inside": refs_inside,
                "refs_outside": refs_outside}

    def message_only(self, filename: str, module, mutations) -> list:
        """The mutations of ``module`` (mutmut's parse of ``filename``) that only change a message."""
        cst = self.cst
        facts = self.analyse(self.module_name(filename), module)
        out = []
        for m in mutations:
            node = m.original_node
            if id(node) in facts["excluded"]:
                out.append(m)
            elif id(node) in facts["calls"] and isinstance(m.mutated_node, cst.Call):
                call, margs = facts["calls"][id(node)]
                new = list(m.mutated_node.args)
                old = list(call.args)
                msg = {id(a): (key, safe) for a, key, safe in margs}
                if len(new) == len(old):
                    changed = [(o, n) for o, n in zip(old, new) if o is not n]
                    if changed and all(id(o) in msg and msg[id(o)][1] and isinstance(n.value, cst.Name)
                                       and n.value.value == "None" for o, n in changed):
                        out.append(m)
                elif len(new) == len(old) - 1:
                    gone = [o for o in old if all(o is not n for n in new)]
                    if len(gone) == 1 and id(gone[0]) in msg and msg[id(gone[0])][1] is not None:
                        g = gone[0]
                        key = msg[id(g)][0]
                        target = self._target(self.module_name(filename), self._imports(
                            self.module_name(filename), module), {s.name.value: s for s in module.body
                                                                   if isinstance(s, cst.FunctionDef)}, call.func)
                        info = next((i for p, i in self.params.get(target, {}).items() if key in (p, i["index"])), None)
                        bare = call.func.value if isinstance(call.func, cst.Name) else None
                        has_default = bool(info and info["default"]) or MESSAGE_ARGS.get(bare, {}).get(key) is True
                        last_positional = g.keyword is None and all(a.keyword is not None for a in old[old.index(g) + 1:])
                        if has_default and (g.keyword is not None or last_positional):
                            out.append(m)
        return out


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


def run_mutmut(argv: list[str], plain_pytest: bool = False) -> int:
    """``mutmut <argv>`` with three additions: no message-only mutants (step 4), each mutant's tests fastest
    first, and (unless ``plain_pytest``) run in a session collected once (CollectedSession)."""
    import mutmut.mutation.file_mutation as fm
    from mutmut.runners.harness import PytestRunner
    from mutmut.state import state

    create = fm.create_mutations
    messages = MessageCode(Path.cwd(), MUTATE)

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
        return run_mutmut([a for a in argv[1:] if a != "--plain-pytest"], plain_pytest=plain)
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
