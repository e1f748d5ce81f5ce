"""What a result depends on: the source of every project module a module imports, and library versions.

A cached result (a claim's outcome, an experiment's results) is valid only while nothing it depends
on changed.  ``code_fingerprint("sslverify.verdicts.builtin.ziyin_landscape")`` hashes the source
files of that module and of every ``sslverify`` module it imports, transitively (static analysis of
``import`` statements, including those inside functions), plus the experiment modules it names as
strings (experiments are looked up by name at run time).  ``environment_fingerprint()`` covers the
Python, torch, SymPy, NumPy and SciPy versions.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import platform
import re
from functools import lru_cache
from pathlib import Path

ROOT_PACKAGE = "sslverify"


@lru_cache(maxsize=None)
def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        return None
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    return Path(spec.origin)


@lru_cache(maxsize=None)
def _experiment_names() -> frozenset[str]:
    from importlib import import_module

    try:
        reg = import_module(f"{ROOT_PACKAGE}.experiments")
    except ImportError:  # pragma: no cover - the package always has experiments
        return frozenset()
    return frozenset(reg.EXPERIMENTS) | frozenset(reg.ALIASES)


def _imports(name: str, path: Path) -> set[str]:
    """Project modules named by the import statements (and experiment-name strings) of one file (memoised on the
    file's content: a module shared by several closures is parsed once per process)."""
    return set(_imports_of_source(name, path.name == "__init__.py", path.read_bytes()))


@lru_cache(maxsize=None)
def _imports_of_source(name: str, is_pkg: bool, src: bytes) -> frozenset[str]:
    """``_imports`` of one source text (memo keyed by the text itself, so an edited file is parsed anew)."""
    tree = ast.parse(src.decode("utf-8"))
    registry = f"{ROOT_PACKAGE}.experiments"  # names every experiment: not a dependency on all of them
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)  # `from pkg import submodule`
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and name != registry:
            if node.value in _experiment_names():
                out.add(f"{ROOT_PACKAGE}.experiments.{node.value}")
    return frozenset(m for m in out if m == ROOT_PACKAGE or m.startswith(ROOT_PACKAGE + "."))


@lru_cache(maxsize=None)
def module_closure(name: str) -> tuple[tuple[str, str], ...]:
    """(module name, file) of ``name`` and every project module it imports, transitively, sorted."""
    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        path = _module_file(mod)
        if path is None:
            continue
        seen[mod] = str(path)
        # importing a.b.c runs a/__init__ and a/b/__init__ too
        parts = mod.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(_imports(mod, path) - set(seen))
    return tuple(sorted(seen.items()))


def code_fingerprint(*modules: str) -> str:
    """sha256 (16 hex) over the source of the modules' import closures."""
    h = hashlib.sha256()
    files = sorted({item for m in modules for item in module_closure(m)})
    for mod, file in files:
        h.update(mod.encode())
        h.update(b"\0")
        h.update(Path(file).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def environment_fingerprint() -> dict[str, str]:
    """Versions that can change numbers: Python, torch, SymPy, NumPy, SciPy (and the machine type)."""
    versions = {"python": platform.python_version(), "machine": platform.machine()}
    for lib in ("torch", "sympy", "numpy", "scipy"):
        try:
            versions[lib] = __import__(lib).__version__
        except ImportError:
            versions[lib] = "absent"
    return versions


def clear() -> None:
    """Forget memoised file lists (tests that edit sources call this)."""
    _module_file.cache_clear()
    module_closure.cache_clear()
    _imports_of_source.cache_clear()


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(text: str) -> str:
    """A file-name-safe version of ``text``."""
    return _SAFE.sub("_", text)
