"""``sslverify show ID``: one step from a claim id to everything about it.

Besides the record's text it locates (file:line) the record's declaration, the check, the theory
functions the check calls (its derivation, followed through helpers of the same module), the
experiments it runs and every test that covers the claim: the tests the record names as evidence or
second method, the tests that mention the id, and the tests of its experiments.  The locations are
found from the code itself (``ast`` + ``inspect``), so they cannot go stale.
"""
from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
import types
from functools import lru_cache
from pathlib import Path

from sslverify.experiments import EXPERIMENTS, module_file
from sslverify.verdicts.record import Claim


def repo_root() -> Path | None:
    """The source checkout holding this package (None for an installed wheel without tests)."""
    for cand in (Path(__file__).resolve().parents[1], Path.cwd()):
        if (cand / "tests").is_dir() and (cand / "pyproject.toml").is_file():
            return cand
    return None


def _rel(path: str | Path) -> str:
    p = Path(path).resolve()
    root = repo_root()
    if root is not None:
        try:
            return str(p.relative_to(root))
        except ValueError:
            pass
    return str(p)


def _where(obj) -> str | None:
    obj = inspect.unwrap(obj)  # lru_cache and other wrappers
    try:
        return f"{_rel(inspect.getsourcefile(obj))}:{inspect.getsourcelines(obj)[1]}"
    except (OSError, TypeError):
        return None


@lru_cache(maxsize=None)
def _module_ast(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))


def _function_node(fn) -> ast.FunctionDef | None:
    try:
        tree = _module_ast(inspect.getsourcefile(fn))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.__name__:
            return node
    return None


def _references(fn, module: types.ModuleType, seen: set[str]) -> tuple[list, set[str]]:
    """Objects (functions / classes) the function refers to through its module's globals, and the string
    constants it uses; follows functions of the same module transitively."""
    node = _function_node(fn)
    if node is None or fn.__name__ in seen:
        return [], set()
    seen.add(fn.__name__)
    objs, strings = [], set()
    g = vars(module)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            strings.add(sub.value)
        target = None
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            base = g.get(sub.value.id)
            if isinstance(base, types.ModuleType):
                target = getattr(base, sub.attr, None)
        elif isinstance(sub, ast.Name) and sub.id in g and sub.id != fn.__name__:
            target = g[sub.id]
        if target is None or not callable(target):
            continue
        mod = getattr(target, "__module__", "") or ""
        if mod == module.__name__ and inspect.isfunction(target):
            o, s = _references(target, module, seen)
            objs += o
            strings |= s
        else:
            objs.append(target)
    return objs, strings


def _test_files(root: Path) -> list[Path]:
    return sorted((root / "tests").rglob("test_*.py"))


def _node_location(root: Path, node_id: str) -> str:
    """'tests/x.py::test_y' -> 'tests/x.py:LINE (test_y)' (or the node id with a note if it is missing)."""
    file, _, name = node_id.partition("::")
    path = root / file
    if not path.is_file():
        return f"{node_id}  (MISSING: no such file)"
    if not name:
        return f"{file}:1"
    base = name.split("[", 1)[0].split("::")[-1]
    try:
        tree = _module_ast(str(path))
    except SyntaxError:
        return node_id
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == base:
            return f"{file}:{node.lineno} ({name})"
    return f"{node_id}  (MISSING: no such test)"


def locate(claim: Claim) -> dict[str, list[str]]:
    """file:line of the record, check, derivation, experiments and tests of ``claim``."""
    fn = claim.check
    out: dict[str, list[str]] = {"record": [], "check": [], "derivation": [], "experiment": [], "tests": []}
    if fn is None:
        return out
    node = _function_node(fn)
    src = inspect.getsourcefile(fn)
    if node is not None and src:
        deco = min((d.lineno for d in node.decorator_list), default=node.lineno)
        out["record"].append(f"{_rel(src)}:{deco}")
        out["check"].append(f"{_rel(src)}:{node.lineno} ({fn.__name__})")
    module = sys.modules.get(fn.__module__)
    experiments: list[str] = []
    if module is not None:
        objs, strings = _references(fn, module, set())
        for obj in dict.fromkeys(objs):
            mod = getattr(obj, "__module__", "") or ""
            if mod.startswith(("sslverify.theory", "sslverify.numerics")):
                where = _where(obj)
                if where:
                    out["derivation"].append(f"{where} ({mod.removeprefix('sslverify.')}.{obj.__name__})")
        experiments = [s for s in strings if s in EXPERIMENTS]
    for ev in claim.evidence:
        m = re.fullmatch(r"experiments/(\w+)\.py", ev)
        if m and m.group(1) in EXPERIMENTS and m.group(1) not in experiments:
            experiments.append(m.group(1))
    for name in experiments:
        out["experiment"].append(f"{_rel(module_file(name))}:1 ({name})")
    root = repo_root()
    if root is None:
        out["tests"].append("(tests are not installed: run `sslverify show` in a source checkout to list them)")
        return out
    tests: list[str] = []
    for ev in tuple(claim.evidence) + tuple(claim.second_method):
        if ev.startswith("tests/"):
            tests.append(_node_location(root, ev))
    quoted = re.compile(r"[\"']" + re.escape(claim.id) + r"[\"']")
    for path in _test_files(root):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(root))
        for i, line in enumerate(text.splitlines(), 1):
            if quoted.search(line):
                tests.append(f"{rel}:{i} (mentions {claim.id})")
        if any(path.name == f"test_{name}.py" for name in experiments):
            tests.append(f"{rel}:1 (tests experiment {path.stem.removeprefix('test_')})")
    out["tests"] = list(dict.fromkeys(tests))
    return out


def render(claim: Claim) -> str:
    """The text ``sslverify show`` prints."""
    w = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    lines = [f"{claim.id}  [{claim.verdict or 'no recorded verdict'}]" + ("" if claim.builtin else "  (user claim)"),
             f"source: {claim.source}", "", "statement:", w.fill(claim.statement)]
    if claim.assumptions:
        lines += ["", "assumptions:"] + [w.fill("- " + a) for a in claim.assumptions]
    if claim.definitions:
        lines += ["", "the source's definitions:"] + [w.fill("- " + d) for d in claim.definitions]
    if claim.readings:
        lines += ["", "readings:"]
        for r in claim.readings:
            lines.append(w.fill(f"- {r.name}: {r.verdict}{' (primary)' if r.primary else ''}"
                                + (f" — {r.basis}" if r.basis else "")))
    for label, text in (("correction", claim.correction), ("counterexample", claim.counterexample),
                        ("scope", claim.scope), ("power", claim.power)):
        if text:
            lines += ["", f"{label}:", w.fill(text)]
    if claim.evidence:
        lines += ["", "evidence:"] + [f"  - {e}" for e in claim.evidence]
    if claim.second_method:
        lines += ["", "second method (re-checks the correction / counterexample):"] + [f"  - {e}" for e in claim.second_method]
    loc = locate(claim)
    lines += ["", "where:"]
    for key in ("record", "check", "derivation", "experiment", "tests"):
        entries = loc[key] or ["(none)"]
        lines.append(f"  {key}:")
        lines += [f"    {e}" for e in entries]
    return "\n".join(lines)
