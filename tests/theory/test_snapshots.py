"""What every built-in check reports, pinned: live evidence and outcomes against reviewed snapshots (issue 13).

test_decisions.py reproduces each recorded verdict and test_decisions_<family>.py feeds evidence that must
give another one; both read the *verdict*.  A change that keeps the verdict on today's evidence but changes
what a check computes or reports passes them: a derived number of the evidence (the analytic value a check
compares with, the rank a construction has, a Monte Carlo estimate), a reading's verdict or a counterexample
in the details, a number in the reason.  Mutation testing (benchmarks/mutation.py) found thousands of such
changes unnoticed.  Here, for every split claim:

* claims whose evidence tests/theory gathers live (no recorded fixture): the evidence gathered now equals
  ``snapshots/<id>.json``'s "evidence" (same keys, list lengths and types; strings and bools equal; numbers
  equal within NUM_RTOL / NUM_ATOL);
* every split claim: the outcome of its decision on its evidence (fixture or live) equals the snapshot's
  "outcome": verdict and details as above, the reason the same text with each printed number within one
  unit of its last printed digit.

The snapshots are the reviewed output of the checks, not a second derivation: they catch *changes*.  After
an intended change, regenerate and review the diff (git diff tests/theory/snapshots)::

    python tests/theory/test_snapshots.py                  # every split claim
    python tests/theory/test_snapshots.py ziyin rusak.lemma6  # families / ids / patterns
"""
from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest

from sslverify.verdicts.registry import builtin_claims

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SPLIT = [c for c in builtin_claims().values() if c.gather is not None]
#: evidence that reads the source documents (rusak's seed-file facts) records whether it found them; the
#: snapshots were taken with the documents beside the checkout (../shared/seeds)
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

#: numbers of evidence and details: the same computation on another CPU / BLAS differs by float64 round-off
#: (~1e-15 relative) or, where torch computes in float32, by ~1e-7 relative; 1e-6 leaves a 10x margin.
NUM_RTOL = 1e-6
#: absolute floor for quantities that are zero up to round-off (symbolic residuals evaluated in float64,
#: differences of equal eigenvalues): ~1e-13 in practice, 1e-9 leaves margin.
NUM_ATOL = 1e-9
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _path(cid: str) -> Path:
    return SNAPSHOTS / f"{cid}.json"


def load(cid: str) -> dict | None:
    p = _path(cid)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def outcome_json(out) -> dict:
    from sslverify.verdicts.evidence import jsonable

    return {"verdict": out.verdict, "reason": out.reason, "details": jsonable(out.details)}


def differences(expected, actual, path: str = "$") -> list[str]:
    """Where ``actual`` differs from ``expected`` (JSON values; numbers within NUM_RTOL / NUM_ATOL)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in actual]
        out += [f"{path}.{k}: unexpected" for k in actual if k not in expected]
        for k in expected:
            if k in actual:
                out += differences(expected[k], actual[k], f"{path}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: length {len(actual)}, snapshot {len(expected)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None \
            or isinstance(expected, str) or isinstance(actual, str):
        return [] if type(expected) is type(actual) and expected == actual else [f"{path}: {actual!r}, snapshot {expected!r}"]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        e, a = float(expected), float(actual)
        same = (math.isnan(e) and math.isnan(a)) or e == a or math.isclose(e, a, rel_tol=NUM_RTOL, abs_tol=NUM_ATOL)
        return [] if same else [f"{path}: {actual!r}, snapshot {expected!r}"]
    return [f"{path}: {actual!r} ({type(actual).__name__}), snapshot {expected!r} ({type(expected).__name__})"]


def _skip_without_seeds(diffs: list[str]) -> None:
    if not SEEDS.is_dir() and any("seed_file_available" in d for d in diffs):
        pytest.skip("this evidence quotes the seed documents, which live beside the checkout (../shared/seeds)")


def _last_digit_unit(token: str) -> float:
    mant, _, exp = token.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (-decimals + (int(exp) if exp else 0))


def reason_differences(expected: str, actual: str) -> list[str]:
    """Same text; each printed decimal within one unit of its last printed digit (a float that differs in its
    7th digit can round to a neighbouring printed value); printed integers (counts, ranks, sizes) equal."""
    et, at = _NUMBER.split(expected), _NUMBER.split(actual)
    en, an = _NUMBER.findall(expected), _NUMBER.findall(actual)
    if et != at or len(en) != len(an):
        return [f"reason: {actual!r}, snapshot {expected!r}"]
    for e, a in zip(en, an):
        if not re.search(r"[.eE]", e + a):
            if int(e) != int(a):
                return [f"reason: printed {a}, snapshot {e}: {actual!r}"]
            continue
        unit = max(_last_digit_unit(e), _last_digit_unit(a))
        if abs(float(e) - float(a)) > 1.001 * unit:
            return [f"reason: printed {a}, snapshot {e}: {actual!r}"]
    return []


@pytest.mark.parametrize("rec", SPLIT, ids=lambda c: c.id)
def test_outcome_matches_snapshot(rec, evidence_of):
    snap = load(rec.id)
    assert snap is not None, f"no snapshot of {rec.id}: run python tests/theory/test_snapshots.py {rec.id}"
    got = outcome_json(rec.decide(evidence_of(rec)))
    want = snap["outcome"]
    diffs = ([] if got["verdict"] == want["verdict"] else [f"verdict: {got['verdict']}, snapshot {want['verdict']}"])
    diffs += differences(want["details"], got["details"], "details") + reason_differences(want["reason"], got["reason"])
    _skip_without_seeds(diffs)
    assert not diffs, f"{rec.id}: " + "; ".join(diffs[:8])


@pytest.mark.parametrize("rec", [c for c in SPLIT if load(c.id) is None or load(c.id)["evidence"] is not None],
                         ids=lambda c: c.id)
def test_live_evidence_matches_snapshot(rec, evidence_of):
    from sslverify.verdicts.evidence import load_fixture

    snap = load(rec.id)
    assert snap is not None, f"no snapshot of {rec.id}: run python tests/theory/test_snapshots.py {rec.id}"
    assert load_fixture(rec.id) is None, f"{rec.id} now has a recorded fixture: regenerate its snapshot"
    diffs = differences(snap["evidence"], evidence_of(rec), "evidence")
    _skip_without_seeds(diffs)
    assert not diffs, f"{rec.id}: " + "; ".join(diffs[:8])


def test_snapshot_comparison_sees_changes():
    # the comparison itself: what must count as a change, and the round-off it must forgive
    ev = {"rank": 3, "ok": True, "x": [0.5, 1e-17], "s": "a*b", "nan": float("nan")}
    assert differences(ev, json.loads(json.dumps(ev))) == []
    assert differences(ev, dict(ev, x=[0.5 * (1 + 1e-8), 0.0])) == []  # round-off, and a zero residual
    for changed in (dict(ev, rank=4), dict(ev, ok=False), dict(ev, x=[0.5 * (1 + 1e-5), 1e-17]), dict(ev, s="a*c"),
                    dict(ev, x=[0.5]), {k: v for k, v in ev.items() if k != "s"}, dict(ev, extra=1), dict(ev, ok=1),
                    dict(ev, nan=0.0)):
        assert differences(ev, changed), changed
    assert reason_differences("rank 3 at τ = 0.124 (12 runs)", "rank 3 at τ = 0.123 (12 runs)") == []
    assert reason_differences("rank 3 at τ = 0.124", "rank 3 at τ = 0.126")
    assert reason_differences("rank 3 at τ = 0.124", "rank 4 at τ = 0.124")
    assert reason_differences("rank 3 at τ = 1.2e-05", "rank 3 at τ = 1.3e-05") == []
    assert reason_differences("rank 3 at τ = 1.2e-05", "rank 3 at τ = 1.2e-04")
    assert reason_differences("proved: every minor", "refuted: every minor")


def write(patterns: list[str]) -> int:
    import tempfile

    from sslverify.verdicts.evidence import load_fixture
    from sslverify.verdicts.registry import select

    claims = select(patterns, {c.id: c for c in SPLIT}) if patterns else SPLIT
    SNAPSHOTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for rec in claims:
            fx = load_fixture(rec.id)
            ev = fx if fx is not None else rec.gather_evidence(quick=True, out_dir=Path(tmp))
            out = rec.decide(json.loads(json.dumps(ev)))
            snap = {"claim": rec.id, "generated_by": f"python tests/theory/test_snapshots.py {rec.id}",
                    "evidence": None if fx is not None else ev, "outcome": outcome_json(out)}
            old = load(rec.id)
            if old is not None and "recorded_run" in old:  # written by test_recorded_runs.py: keep it
                snap["recorded_run"] = old["recorded_run"]
            _path(rec.id).write_text(json.dumps(snap, indent=1, ensure_ascii=False, allow_nan=True) + "\n",
                                     encoding="utf-8")
            print(f"{rec.id}: {out.verdict} ({'fixture' if fx is not None else 'live'} evidence) -> {_path(rec.id)}")
    return 0



@pytest.mark.parametrize("rec", [c for c in SPLIT if load(c.id) is not None and load(c.id)["evidence"] is not None],
                         ids=lambda c: c.id)
def test_decision_on_snapshot_evidence(rec):
    """The decision alone, on the snapshot's own (JSON) evidence, gives the snapshot's outcome.

    test_outcome_matches_snapshot runs the same decision on evidence gathered live, which takes seconds for
    some claims; this one takes milliseconds, so a change in a decision is caught without re-gathering (and
    mutation testing, which runs each mutant's fastest covering test first, decides decision mutants fast)."""
    snap = load(rec.id)
    got = outcome_json(rec.decide(json.loads(json.dumps(snap["evidence"]))))
    want = snap["outcome"]
    diffs = ([] if got["verdict"] == want["verdict"] else [f"verdict: {got['verdict']}, snapshot {want['verdict']}"])
    diffs += differences(want["details"], got["details"], "details") + reason_differences(want["reason"], got["reason"])
    _skip_without_seeds(diffs)
    assert not diffs, f"{rec.id}: " + "; ".join(diffs[:8])


if __name__ == "__main__":
    raise SystemExit(write(sys.argv[1:]))
