"""The claim registry: built-in claims, claims of installed packages and claims in users' files.

Claims come from three places, merged in this order:

1. built-in: the modules of :mod:`sslverify.verdicts.builtin` (the 72 claims of the five sources);
2. installed packages: the entry-point group ``sslverify.claims`` (each entry point names a module;
   ``[project.entry-points."sslverify.claims"] mine = "mypkg.claims"``);
3. files and folders a user names (``sslverify check path/to/claims.py``, ``--claims DIR``).

A claim is a function decorated with ``@claim`` (:mod:`sslverify.verdicts.record`).  Every error
(a duplicate id, an id that clashes with a built-in one, a file that does not import) is a
:class:`ClaimDeclarationError` naming the file and the rule.

>>> from sslverify.verdicts.registry import get_claim
>>> get_claim("ziyin.thm1").source.file
'001_e494beef9b3e9713.txt'
"""
from __future__ import annotations

import difflib
import fnmatch
import hashlib
import importlib
import importlib.util
import sys
from dataclasses import replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

from sslverify.verdicts import builtin as _builtin
from sslverify.verdicts.record import Claim, ClaimDeclarationError

ENTRY_POINT_GROUP = "sslverify.claims"


def collect(module: ModuleType, builtin: bool = False) -> list[Claim]:
    """The claims declared in ``module`` (functions carrying ``@claim`` defined there), in order."""
    out: list[Claim] = []
    seen: dict[str, Claim] = {}
    for obj in list(vars(module).values()):
        rec = getattr(obj, "__sslverify_claim__", None)
        if not isinstance(rec, Claim) or getattr(obj, "__module__", None) != module.__name__:
            continue  # a check imported from another module belongs to that module
        if rec.id in seen:
            raise ClaimDeclarationError(f"{rec.location}: claim {rec.id!r} is declared twice in one module "
                                        f"(first at {seen[rec.id].location}); ids must be unique")
        seen[rec.id] = rec
        out.append(replace(rec, builtin=builtin))
    return out


def _merge(into: dict[str, Claim], claims: list[Claim], origin: str) -> None:
    for rec in claims:
        if rec.id in into:
            other = into[rec.id]
            rule = ("ids of built-in claims are reserved" if other.builtin
                    else "every claim id must be unique")
            raise ClaimDeclarationError(f"{rec.location}: claim {rec.id!r} from {origin} clashes with the claim "
                                        f"declared at {other.location} ({rule})")
        into[rec.id] = rec


@lru_cache(maxsize=1)
def builtin_claims() -> dict[str, Claim]:
    """The built-in claims (the 72 of ``../shared/CLAIMS.md``), in report order."""
    out: dict[str, Claim] = {}
    for name in _builtin.MODULES:
        module = importlib.import_module(f"{_builtin.__name__}.{name}")
        _merge(out, collect(module, builtin=True), module.__name__)
    return out


@lru_cache(maxsize=1)
def entry_point_claims() -> tuple[Claim, ...]:
    """Claims shipped by installed packages through the ``sslverify.claims`` entry-point group."""
    found: list[Claim] = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = ep.load()
        except Exception as exc:  # a broken third-party package must say which one it is
            raise ClaimDeclarationError(f"entry point {ep.name!r} = {ep.value!r} (group {ENTRY_POINT_GROUP}) "
                                        f"failed to import: {type(exc).__name__}: {exc}") from None
        if not isinstance(module, ModuleType):
            raise ClaimDeclarationError(f"entry point {ep.name!r} = {ep.value!r} (group {ENTRY_POINT_GROUP}) must "
                                        f"name a module holding @claim functions, got {type(module).__name__}")
        found.extend(collect(module))
    return tuple(found)


def load_claim_file(path: str | Path) -> list[Claim]:
    """Import a user's Python file by path and return the claims it declares.

    The file's folder is put on ``sys.path`` (so it may import its neighbours).  A file that fails to
    import, or that declares no claim, raises :class:`ClaimDeclarationError` naming it.
    """
    path = Path(path).resolve()
    if not path.is_file() or path.suffix != ".py":
        raise ClaimDeclarationError(f"claims file {str(path)!r} does not exist or is not a .py file")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    mod_name = f"sslverify_user_claims.{path.stem}_{digest}"
    if mod_name in sys.modules:
        module = sys.modules[mod_name]
    else:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ClaimDeclarationError(f"{path}: cannot be imported as a Python module")
        module = importlib.util.module_from_spec(spec)
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
        except ClaimDeclarationError:
            del sys.modules[mod_name]
            raise
        except Exception as exc:
            del sys.modules[mod_name]
            raise ClaimDeclarationError(f"{path}: importing the claims file failed: {type(exc).__name__}: {exc}") \
                from exc
    claims = collect(module)
    if not claims:
        raise ClaimDeclarationError(f"{path}: declares no claim (rule: decorate each check with @sslverify.claim)")
    return claims


def load_claims_path(path: str | Path) -> list[Claim]:
    """Claims of one file, or of every ``*.py`` file of a folder (names starting with ``_`` or ``test_``
    are skipped; files that declare no claim are skipped too)."""
    p = Path(path)
    if p.is_dir():
        out: list[Claim] = []
        for f in sorted(p.glob("*.py")):
            if f.name.startswith(("_", "test_")):
                continue
            try:
                out.extend(load_claim_file(f))
            except ClaimDeclarationError as exc:
                if "declares no claim" not in str(exc):
                    raise
        if not out:
            raise ClaimDeclarationError(f"folder {str(p)!r} holds no claims file (no *.py with @claim functions)")
        return out
    if not p.exists():
        raise ClaimDeclarationError(f"claims path {str(p)!r} does not exist")
    return load_claim_file(p)


def registry(paths: tuple[str | Path, ...] | list = (), include_builtin: bool = True) -> dict[str, Claim]:
    """Every claim: built-in and installed (unless ``include_builtin`` is false), then the users' files.

    User claims are always checked against the built-in ids, so a clash is an error either way.
    """
    base = dict(builtin_claims())
    _merge(base, list(entry_point_claims()), f"entry-point group {ENTRY_POINT_GROUP}")
    out = dict(base) if include_builtin else {}
    reserved = dict(base)
    for path in paths:
        claims = load_claims_path(path)
        _merge(reserved, claims, str(path))
        _merge(out, claims, str(path))
    return out


def claim_ids() -> list[str]:
    """Ids of the built-in claims."""
    return list(builtin_claims())


def get_claim(claim_id: str, claims: dict[str, Claim] | None = None) -> Claim:
    """The record of ``claim_id``; ValueError naming close matches if it does not exist."""
    reg = claims if claims is not None else registry()
    if claim_id in reg:
        return reg[claim_id]
    close = difflib.get_close_matches(claim_id, list(reg), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run `sslverify list` for all ids"
    raise ValueError(f"claim id {claim_id!r} does not exist{hint}")


def select(patterns: list[str], claims: dict[str, Claim] | None = None) -> list[Claim]:
    """Claims matching ids, families (``ziyin``) or shell patterns (``ziyin.*``, ``*.prop2``), in order."""
    reg = claims if claims is not None else registry()
    out: dict[str, Claim] = {}
    for pat in patterns:
        if any(ch in pat for ch in "*?["):
            hits = [c for cid, c in reg.items() if fnmatch.fnmatchcase(cid, pat)]
            if not hits:
                raise ValueError(f"pattern {pat!r} matches no claim id; run `sslverify list` for all ids")
        else:
            hits = [c for c in reg.values() if c.family == pat] or [get_claim(pat, reg)]
        for c in hits:
            out.setdefault(c.id, c)
    return list(out.values())
