"""sslverify: a symbolic-plus-numeric verifier for theories of dimensional collapse in SSL.

Layers (each imports only those before it): ``sslverify.numerics`` (data, models, losses, trainer,
metrics) → ``sslverify.theory`` (derivations: SymPy, exact expectations, predictors) →
``sslverify.experiments`` (train, compare with the prediction) → ``sslverify.verdicts`` (claim records,
checks, registry, CLI, report).  In a source checkout these are the top-level folders ``numerics/``,
``theory/``, ``experiments/`` and ``verdicts/``; an installed wheel holds them under ``sslverify/``.

The public API for declaring and checking claims of your own is re-exported here (lazily, so that
``import sslverify`` stays cheap); see :mod:`sslverify.api` for the list and README "Verify your own
claim" for a worked example.
"""
from __future__ import annotations

import importlib
from pathlib import Path as _Path

__version__ = "0.2.0"

# In a source checkout the sub-packages live in the repository's top-level folders (the user's layout:
# theory/, numerics/, experiments/, verdicts/); an installed wheel has them inside this folder
# (setuptools' package-dir mapping, pyproject.toml).  Let the import system find both.
_root = _Path(__file__).resolve().parent.parent
if (_root / "pyproject.toml").is_file() and (_root / "verdicts" / "__init__.py").is_file():
    __path__.append(str(_root))  # noqa: F821 (the package's own __path__)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    api = importlib.import_module(f"{__name__}.api")
    if name in api.__all__:
        return getattr(api, name)
    if name in ("numerics", "theory", "experiments", "verdicts", "api"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'sslverify' has no attribute {name!r}")


def __dir__():
    api = importlib.import_module(f"{__name__}.api")
    return sorted(set(globals()) | set(api.__all__))
