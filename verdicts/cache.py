"""Cached check outcomes, keyed by what determines them.

Key = sha256 of: the claim id; the source of the claim's module and of every project module it
imports (transitively, experiments included: :mod:`sslverify.numerics.fingerprint`); the settings
(``--quick``), the output folder the plots live in; and the versions of Python, torch, SymPy, NumPy
and SciPy.  Any edit to a file the check depends on, or an upgrade of those libraries, changes the
key, so the check is recomputed.

Entries are plain JSON files under ``<out>/.cache/claims/`` (or ``$SSLVERIFY_CACHE_DIR``), written
atomically.  A corrupted or mismatching entry is ignored (and overwritten by the recomputed one),
never trusted.  Only outcomes are cached, never crashes.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from sslverify.numerics.fingerprint import code_fingerprint, environment_fingerprint, safe_name
from sslverify.numerics.io import atomic_write_text, relative_to_dir, resolve_in_dir
from sslverify.verdicts.record import OUTCOMES, Claim

FORMAT = 1


def cache_dir(out_dir: Path) -> Path:
    env = os.environ.get("SSLVERIFY_CACHE_DIR")
    return Path(env) if env else Path(out_dir) / ".cache" / "claims"


def claim_key(claim: Claim, quick: bool, out_dir: Path) -> str:
    module = getattr(claim.check, "__module__", None) or claim.id
    parts = {
        "format": FORMAT,
        "claim": claim.id,
        "record": claim.to_json() | {"location": ""},  # the recorded verdict and text; not the line number
        "code": code_fingerprint(module) if module.startswith("sslverify.") else _file_hash(claim),
        "quick": bool(quick),
        "out_dir": str(Path(out_dir).resolve()),
        "env": environment_fingerprint(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _file_hash(claim: Claim) -> str:
    """A user's claim file: hash its own source (and its folder's Python files it may import)."""
    loc = claim.location.rsplit(":", 1)[0]
    h = hashlib.sha256()
    path = Path(loc)
    files = sorted(path.parent.glob("*.py")) if path.is_file() else []
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _path(out_dir: Path, claim_id: str) -> Path:
    return cache_dir(out_dir) / f"{safe_name(claim_id)}.json"


def load(out_dir: Path, claim: Claim, key: str) -> dict[str, Any] | None:
    """The cached outcome (verdict, reason, details, plots, seconds) or None (absent, stale, corrupt)."""
    path = _path(out_dir, claim.id)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or entry.get("format") != FORMAT:
        return None
    out = entry.get("outcome")
    if (not isinstance(out, dict) or out.get("verdict") not in OUTCOMES or not isinstance(out.get("reason"), str)
            or not isinstance(out.get("details", {}), dict) or not isinstance(out.get("plots", []), list)):
        return None
    if any(not resolve_in_dir(p, out_dir).exists() for p in out.get("plots", []) if isinstance(p, str)):
        return None  # its plots (relative to out_dir, or absolute) were removed: recompute them
    artifacts = entry.get("artifacts", [])
    if not isinstance(artifacts, list) or any(not (Path(out_dir) / p).exists() for p in artifacts if isinstance(p, str)):
        return None  # the plots of an experiment it ran were removed: recompute them
    return out


def previous_seconds(out_dir: Path, claim: Claim) -> float | None:
    """How long the claim's check took last time (any key): a scheduling hint, never a result."""
    try:
        entry = json.loads(_path(out_dir, claim.id).read_text(encoding="utf-8"))
        return float(entry["outcome"]["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def experiment_artifacts(out_dir: Path, claim: Claim) -> list[str]:
    """Plots (relative to ``out_dir``) of the experiments the claim cites that exist under ``out_dir`` now:
    stored with the outcome, so that a cached outcome whose experiment plots were deleted is recomputed."""
    from sslverify.experiments import canonical_name

    found: list[str] = []
    for ev in claim.evidence:
        if not (ev.startswith("experiments/") and ev.endswith(".py")):
            continue
        try:
            folder = Path(out_dir) / canonical_name(Path(ev).stem)
        except ValueError:
            continue
        try:
            listed = json.loads((folder / "results.json").read_text(encoding="utf-8")).get("plots", [])
        except (OSError, ValueError, AttributeError):
            continue
        for p in listed if isinstance(listed, list) else []:
            if isinstance(p, str) and resolve_in_dir(p, folder).exists():
                found.append(relative_to_dir(resolve_in_dir(p, folder), out_dir))
    return found


def store(out_dir: Path, claim: Claim, key: str, outcome: dict[str, Any]) -> None:
    entry = {"format": FORMAT, "key": key, "claim": claim.id, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
             "env": environment_fingerprint(), "outcome": outcome,
             "artifacts": experiment_artifacts(out_dir, claim)}
    try:
        atomic_write_text(_path(out_dir, claim.id), json.dumps(entry, indent=1, ensure_ascii=False,
                                                                default=str, allow_nan=True) + "\n")
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written only costs time
