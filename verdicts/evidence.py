"""Evidence of split checks: JSON form, schema, and the recorded fixtures tests/theory decides on.

A split check (``@claim(..., gather=...)``) computes evidence — a JSON-serialisable dict — and decides
the verdict from it with a pure function.  ``pytest tests/theory`` runs every decision: on evidence it
gathers itself where that is fast, and on a *recorded fixture* (``tests/theory/fixtures/<id>.json``,
the evidence of a real quick-size run) where gathering runs an experiment.

Regenerate fixtures (one documented command; runs the experiments at quick size, or at the default
size with ``--default`` for a claim whose quick run is too weak to decide)::

    python -m sslverify.verdicts.evidence ziyin.ncrit pokle.table1      # or: --all-recorded
    python -m sslverify.verdicts.evidence lastlayer.reg --default

A fixture whose schema (keys and value types) no longer matches what ``gather`` returns fails the
schema test beside the experiment's own test (``tests/experiments``).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sslverify.numerics.io import atomic_write_text, to_jsonable

FIXTURE_DIR_NAME = Path("tests") / "theory" / "fixtures"


def _plain(obj: Any) -> Any:
    """numpy / torch / tuples -> JSON types, keeping non-finite floats as floats (NaN, Infinity)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "detach"):  # torch tensor
        obj = obj.detach().cpu().numpy()
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):  # numpy array or scalar
        return _plain(obj.tolist())
    if isinstance(obj, float):
        return float(obj)
    return to_jsonable(obj)


def jsonable(evidence: dict) -> dict:
    """Evidence as plain JSON types (numpy / torch converted, NaN / inf kept as floats); ValueError if
    impossible (e.g. a SymPy expression: store ``str(expr)`` or the bool the decision needs)."""
    try:
        out = json.loads(json.dumps(_plain(evidence), allow_nan=True))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"evidence must be JSON-serialisable: {exc}") from None
    if not isinstance(out, dict):
        raise ValueError(f"evidence must be a dict, got {type(evidence).__name__}")
    return out


def schema(obj: Any) -> Any:
    """The shape of a JSON value: dict keys (recursively), list element schema, scalar type names.

    ints and floats are both "number" (a count that becomes a mean stays compatible); an empty list
    is "list"; lists of mixed element schemas give the sorted set of them.
    """
    if isinstance(obj, dict):
        return {str(k): schema(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "list"
        kinds = []
        for x in obj:
            s = schema(x)
            if s not in kinds:
                kinds.append(s)
        return [kinds[0]] if len(kinds) == 1 else ["mixed"]
    if isinstance(obj, bool):
        return "bool"
    if isinstance(obj, (int, float)):
        return "number"
    if obj is None:
        return "null"
    return type(obj).__name__


def schema_differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Human-readable differences between two schemas (empty when they match; null matches anything)."""
    if expected == actual or "null" in (expected, actual):
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in actual]
        out += [f"{path}.{k}: unexpected" for k in actual if k not in expected]
        for k in expected:
            if k in actual:
                out += schema_differences(expected[k], actual[k], f"{path}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        return schema_differences(expected[0], actual[0], f"{path}[]")
    if "list" in (expected, actual) and (isinstance(expected, list) or isinstance(actual, list)):
        return []  # an empty list matches a list of anything
    return [f"{path}: {expected!r} != {actual!r}"]


def fixture_dir(root: Path | None = None) -> Path:
    """tests/theory/fixtures of the source checkout (searched upwards: the checkout or a wheel-shaped copy)."""
    if root is None:
        here = Path(__file__).resolve()
        root = next((p for p in here.parents if (p / "tests" / "theory").is_dir()), here.parents[1])
    return root / FIXTURE_DIR_NAME


def fixture_path(claim_id: str, root: Path | None = None) -> Path:
    return fixture_dir(root) / f"{claim_id}.json"


def load_fixture(claim_id: str, root: Path | None = None) -> dict | None:
    path = fixture_path(claim_id, root)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["evidence"]


def fixture_settings(claim_id: str, root: Path | None = None) -> str | None:
    """'quick' or 'default': the size the fixture was recorded at (None if there is none)."""
    path = fixture_path(claim_id, root)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("settings", "quick")


def write_fixture(claim_id: str, evidence: dict, root: Path | None = None, note: str = "",
                  settings: str = "quick") -> Path:
    if settings not in ("quick", "default"):
        raise ValueError(f"settings must be 'quick' or 'default', got {settings!r}")
    path = fixture_path(claim_id, root)
    flag = "" if settings == "quick" else " --default"
    atomic_write_text(path, json.dumps({"claim": claim_id, "generated_by": "python -m sslverify.verdicts.evidence "
                             + claim_id + flag, "settings": settings, "note": note, "evidence": jsonable(evidence)},
                                       indent=1, ensure_ascii=False, allow_nan=True) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    from sslverify.verdicts.registry import builtin_claims, select

    ap = argparse.ArgumentParser(prog="python -m sslverify.verdicts.evidence",
                                 description="Regenerate recorded evidence fixtures of split checks (quick size).")
    ap.add_argument("ids", nargs="*", help="claim ids / families / patterns")
    ap.add_argument("--all-recorded", action="store_true",
                    help="every claim that already has a fixture, each at the size it was recorded at")
    ap.add_argument("--default", action="store_true",
                    help="record at the default (CPU-sized) settings instead of --quick (for claims whose quick run "
                         "is too weak to decide, e.g. lastlayer.reg)")
    args = ap.parse_args(argv)
    try:
        if args.all_recorded:
            claims = [c for c in builtin_claims().values() if fixture_path(c.id).is_file()]
        else:
            claims = select(args.ids) if args.ids else []
        if not claims:
            raise ValueError("name claim ids (or --all-recorded)")
        with tempfile.TemporaryDirectory() as tmp:
            for rec in claims:
                size = (fixture_settings(rec.id) or "quick") if args.all_recorded else \
                    ("default" if args.default else "quick")
                ev = rec.gather_evidence(quick=size == "quick", out_dir=Path(tmp))
                outcome = rec.decide(ev)
                path = write_fixture(rec.id, ev, settings=size)
                print(f"{rec.id}: wrote {path} (decides {outcome.verdict}; recorded {rec.verdict})")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
