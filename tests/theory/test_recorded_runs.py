"""The evidence of experiment-backed claims, gathered from recorded experiment runs (issue 13, mutation testing).

A claim backed by an experiment decides on a recorded fixture in tests/theory (its gather runs the experiment,
minutes), so no test of tests/theory executed the code between the experiment and the decision: the claim's
``extract`` (which checks it reads, the runs it counts, the power it computes) and the derivation its gather
adds.  Mutation testing found all of it unexecuted.  Here each such claim's gather runs for real, with
``run_experiment`` answering from a recorded run of the experiment (``snapshots/runs/<experiment>.json``: the
results of a real run, trimmed to the entries the gathers read), and its evidence must equal the reviewed
snapshot (``snapshots/<id>.json``, "recorded_run"), and have the schema of the claim's committed fixture (so the
recorded run is one of the experiment as it is today).

Regenerate (after an intended change of an extract, or of an experiment's output) from a folder of real runs,
``<dir>/<experiment>/results.json`` (e.g. ``sslverify check <ids> --quick --out <dir>``'s artifacts; lastlayer_reg
at its default size, like its fixture), and review the diff::

    python tests/theory/test_recorded_runs.py <dir> [claim ids]
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

from sslverify.verdicts.evidence import fixture_settings, load_fixture, schema, schema_differences
from sslverify.verdicts.registry import builtin_claims

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from test_snapshots import SNAPSHOTS, _skip_without_seeds, differences, load  # noqa: E402

RUNS = SNAPSHOTS / "runs"
CLAIMS = builtin_claims()
RECORDED = [c for c in CLAIMS.values() if (load(c.id) or {}).get("recorded_run")]


def _answer_from(runs: dict, monkeypatch, seen: list | None = None):
    """Make run_experiment answer from ``runs`` (experiment name -> results) wherever a gather looks it up."""
    import sslverify.experiments as experiments
    from sslverify.verdicts.builtin import pokle_experiments

    def run_experiment(name, quick=True, out_dir=None, **overrides):
        assert not overrides, f"a gather passed overrides {overrides} to {name}: record a run with them"
        if seen is not None:
            seen.append(name)
        return runs[name]

    monkeypatch.setattr(experiments, "run_experiment", run_experiment)
    monkeypatch.setattr(pokle_experiments, "run_experiment", run_experiment)


@pytest.mark.parametrize("rec", RECORDED, ids=lambda c: c.id)
def test_gather_on_a_recorded_run(rec, monkeypatch, tmp_path):
    snap = load(rec.id)["recorded_run"]
    runs = {name: json.loads((RUNS / f"{name}.json").read_text(encoding="utf-8")) for name in snap["experiments"]}
    seen: list = []
    _answer_from(runs, monkeypatch, seen)
    ev = rec.gather_evidence(quick=fixture_settings(rec.id) != "default", out_dir=tmp_path)
    assert sorted(set(seen)) == sorted(snap["experiments"])
    # the recorded run is a run of today's experiment: its evidence has the committed fixture's schema
    assert not schema_differences(schema(load_fixture(rec.id)), schema(ev))
    diffs = differences(snap["evidence"], ev, "evidence")
    _skip_without_seeds(diffs)
    assert not diffs, f"{rec.id}: " + "; ".join(diffs[:8])
    # and the decision on it is the snapshot's too (it need not be the recorded verdict: a quick run can be weak)
    assert rec.decide(copy.deepcopy(ev)).verdict == snap["verdict"]


# ----------------------------------------------------------------------------- regeneration
class _Seen:
    """Wraps a JSON value and records which entries are read (dict keys, list items), to trim a run to them."""

    @staticmethod
    def wrap(value, node: dict):
        if isinstance(value, dict):
            return _Dict(value, node)
        if isinstance(value, list):
            return _List(value, node)
        return value


class _Dict(dict):
    def __init__(self, data: dict, node: dict):
        super().__init__(data)
        self._node, self._wrapped = node, {}

    def _child(self, key):
        if key not in self._wrapped:
            self._wrapped[key] = _Seen.wrap(dict.__getitem__(self, key), self._node.setdefault(key, {}))
        return self._wrapped[key]

    def __getitem__(self, key):
        return self._child(key)

    def get(self, key, default=None):
        return self._child(key) if dict.__contains__(self, key) else default

    def __contains__(self, key):
        if dict.__contains__(self, key):
            self._node.setdefault(key, {})
        return dict.__contains__(self, key)

    def __iter__(self):
        return iter(list(self.keys()))

    def keys(self):
        for k in dict.keys(self):
            self._node.setdefault(k, {})
        return list(dict.keys(self))

    def items(self):
        return [(k, self._child(k)) for k in dict.keys(self)]

    def values(self):
        return [self._child(k) for k in dict.keys(self)]

    def __len__(self):
        self.keys()
        return dict.__len__(self)


class _List(list):
    def __init__(self, data: list, node: dict):
        super().__init__(data)
        self._node, self._wrapped = node, {}

    def _child(self, i):
        if i not in self._wrapped:
            self._wrapped[i] = _Seen.wrap(list.__getitem__(self, i), self._node.setdefault(i, {}))
        return self._wrapped[i]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._child(j) for j in range(len(self))[i]]
        return self._child(i if i >= 0 else len(self) + i)

    def __iter__(self):
        return iter([self._child(i) for i in range(len(self))])


def _trim(value, node: dict):
    if isinstance(value, dict):
        return {k: _trim(v, node[k]) for k, v in value.items() if k in node}
    if isinstance(value, list):
        return [_trim(v, node.get(i, {})) if i in node else _skeleton(v) for i, v in enumerate(value)]
    return value


def _skeleton(value):
    """An item of a list no gather indexed one by one (numpy reads a list of numbers whole): kept whole unless
    it holds records (dicts), which are then emptied (kept only for the list's length)."""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return value


def write(run_dir: Path, ids: list[str]) -> int:
    import tempfile

    from _pytest.monkeypatch import MonkeyPatch

    from sslverify.verdicts.evidence import jsonable

    import inspect
    import re

    runs_one = re.compile(r"\b(_exp|_experiment|run_experiment|figures_evidence)\(")  # gathers that run an experiment
    claims = [CLAIMS[i] for i in ids] if ids else [c for c in CLAIMS.values() if c.gather and load_fixture(c.id)
                                                   and runs_one.search(inspect.getsource(c.gather))]
    full = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in run_dir.glob("*/results.json")}
    reads: dict[str, dict] = {}
    per_claim = {}
    for rec in claims:
        mp = MonkeyPatch()
        seen: list = []
        trees = {name: reads.setdefault(name, {}) for name in full}
        _answer_from({n: _Seen.wrap(copy.deepcopy(full[n]), trees[n]) for n in full}, mp, seen)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                quick = fixture_settings(rec.id) != "default"
                ev = jsonable(rec.gather_evidence(quick=quick, out_dir=Path(tmp)))
        except KeyError as exc:  # an experiment this claim needs is not in run_dir
            print(f"{rec.id}: skipped ({exc} not recorded in {run_dir})")
            continue
        finally:
            mp.undo()
        if not seen:
            continue  # its gather runs no experiment: the fixture-reproduction is not this file's business
        bad = schema_differences(schema(load_fixture(rec.id)), schema(ev))
        if bad:
            print(f"{rec.id}: the run in {run_dir} is not one of today's experiment: {bad[:3]}")
            continue
        per_claim[rec.id] = (sorted(set(seen)), ev, quick)
    RUNS.mkdir(parents=True, exist_ok=True)
    trimmed = {name: _trim(full[name], reads[name]) for name in {n for s, _, _ in per_claim.values() for n in s}}
    for name, data in trimmed.items():
        (RUNS / f"{name}.json").write_text(json.dumps(data, indent=None, allow_nan=True) + "\n", encoding="utf-8")
    for cid, (names, ev, quick) in per_claim.items():
        mp = MonkeyPatch()
        _answer_from({n: copy.deepcopy(trimmed[n]) for n in names}, mp)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                again = jsonable(CLAIMS[cid].gather_evidence(quick=quick, out_dir=Path(tmp)))
        finally:
            mp.undo()
        assert not differences(ev, again), f"{cid}: the trimmed run gives other evidence: {differences(ev, again)[:3]}"
        snap = load(cid)
        snap["recorded_run"] = {"experiments": names, "from": str(run_dir), "evidence": ev,
                                "verdict": CLAIMS[cid].decide(copy.deepcopy(ev)).verdict}
        (SNAPSHOTS / f"{cid}.json").write_text(json.dumps(snap, indent=1, ensure_ascii=False, allow_nan=True) + "\n",
                                               encoding="utf-8")
        print(f"{cid}: {names} -> {snap['recorded_run']['verdict']} (recorded {CLAIMS[cid].verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(write(Path(sys.argv[1]), sys.argv[2:]))
