"""Cached outcomes (keyed by code, settings, library versions) and parallel checks identical to serial ones."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sslverify.numerics import fingerprint
from sslverify.verdicts import cache
from sslverify.verdicts.registry import get_claim, load_claim_file
from sslverify.verdicts.runner import group_by_experiment, run_checks

COUNTING = textwrap.dedent('''
    from pathlib import Path
    from sslverify import Outcome, claim

    COUNTER = Path(__file__).with_suffix(".count")

    @claim("mine.counted", "a test", "x = {value}", verdict="proved")
    def check():
        COUNTER.write_text(str(int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1))
        return Outcome("proved", "value {value}")
''')


def _claims(tmp_path: Path, value: int):
    f = tmp_path / "counted.py"
    f.write_text(COUNTING.format(value=value))
    import sys

    for name in [m for m in sys.modules if m.startswith("sslverify_user_claims.counted")]:
        del sys.modules[name]  # the file changed: load it anew
    return f, load_claim_file(f)


def _runs(f: Path) -> int:
    c = f.with_suffix(".count")
    return int(c.read_text()) if c.exists() else 0


def test_second_run_is_cached_and_code_change_recomputes(tmp_path):
    out = tmp_path / "out"
    f, claims = _claims(tmp_path, 1)
    first = run_checks(claims, quick=True, out_dir=out, jobs=1)
    assert not first[0].cached and first[0].reproduced and _runs(f) == 1
    again = run_checks(claims, quick=True, out_dir=out, jobs=1)
    assert again[0].cached and again[0].reason == first[0].reason and _runs(f) == 1
    assert not run_checks(claims, quick=False, out_dir=out, jobs=1)[0].cached  # other settings: other key
    f, claims = _claims(tmp_path, 2)  # the claim's code changed
    changed = run_checks(claims, quick=True, out_dir=out, jobs=1)
    assert not changed[0].cached and changed[0].reason == "value 2"
    assert not run_checks(claims, quick=True, out_dir=out, jobs=1, use_cache=False)[0].cached


def test_forced_recompute_refreshes_the_cache(tmp_path):
    # --no-cache (use_cache=False) runs the check and stores its outcome: the next plain run re-reads it
    out = tmp_path / "out"
    f, claims = _claims(tmp_path, 5)
    forced = run_checks(claims, quick=True, out_dir=out, jobs=1, use_cache=False)
    assert not forced[0].cached and _runs(f) == 1
    again = run_checks(claims, quick=True, out_dir=out, jobs=1)
    assert again[0].cached and again[0].reason == forced[0].reason and _runs(f) == 1
    assert not run_checks(claims, quick=True, out_dir=out, jobs=1, use_cache=False)[0].cached and _runs(f) == 2


@pytest.mark.parametrize("garbage", ["{not json", json.dumps({"format": 1, "key": "x", "outcome": {}}), "[]"])
def test_corrupted_entry_is_ignored_and_recomputed(tmp_path, garbage):
    out = tmp_path / "out"
    f, claims = _claims(tmp_path, 3)
    run_checks(claims, quick=True, out_dir=out, jobs=1)
    entry = cache.cache_dir(out) / "mine.counted.json"
    entry.write_text(garbage)
    rep = run_checks(claims, quick=True, out_dir=out, jobs=1)[0]
    assert not rep.cached and rep.reproduced and _runs(f) == 2
    assert json.loads(entry.read_text())["outcome"]["verdict"] == "proved"  # rewritten


def test_tampered_verdict_in_cache_is_not_trusted(tmp_path):
    out = tmp_path / "out"
    _, claims = _claims(tmp_path, 4)
    run_checks(claims, quick=True, out_dir=out, jobs=1)
    entry = cache.cache_dir(out) / "mine.counted.json"
    data = json.loads(entry.read_text())
    data["outcome"]["verdict"] = "certainly"
    entry.write_text(json.dumps(data))
    assert not run_checks(claims, quick=True, out_dir=out, jobs=1)[0].cached


def test_fingerprint_follows_imports_and_named_experiments():
    mods = dict(fingerprint.module_closure("sslverify.verdicts.builtin.ziyin_landscape"))
    assert "sslverify.theory.ziyin.landscape" in mods and "sslverify.verdicts.record" in mods
    assert "sslverify.experiments.ziyin_prop2" in mods  # run by name, found as a string
    assert "sslverify.experiments.pokle_table1" not in mods  # the registry names all: not a dependency


def test_claims_sharing_an_experiment_share_a_worker():
    claims = [get_claim(i) for i in ("ziyin.ncrit", "ziyin.thm1", "ziyin.collapse-threshold", "pokle.cl-vs-ncl",
                                     "pokle.predictor")]
    groups = [sorted(c.id for c in g) for g in group_by_experiment(claims)]
    assert ["ziyin.collapse-threshold", "ziyin.ncrit"] in groups
    assert ["pokle.cl-vs-ncl", "pokle.predictor"] in groups
    assert ["ziyin.thm1"] in groups


def test_cold_report_starts_the_longest_check_first(tmp_path):
    """A cold report (no cache) orders by the shipped hints (verdicts.timings); a check's own last time wins."""
    from sslverify.verdicts import timings
    from sslverify.verdicts.runner import scheduling_cost

    ids = ["ziyin.thm1", "ziyin.sigma-scaling", "lastlayer.reg", "pokle.cl-vs-ncl", "pokle.predictor"]
    claims = [get_claim(i) for i in ids]
    cost = scheduling_cost(tmp_path, quick=False)
    assert cost(get_claim("lastlayer.reg")) == timings.hint("lastlayer.reg", False) > 30  # the longest check
    order = [sorted(c.id for c in g) for g in group_by_experiment(claims, cost=cost)]
    assert order[0] == ["lastlayer.reg"] and order[-1] == ["ziyin.thm1"], order
    assert order.index(["pokle.cl-vs-ncl", "pokle.predictor"]) < order.index(["ziyin.sigma-scaling"])
    # once a check has run here, its own time replaces the hint
    reg = get_claim("lastlayer.reg")
    cache.store(tmp_path, reg, "k", {"verdict": "confirmed", "reason": "r", "details": {}, "plots": [], "seconds": 0.25})
    assert cost(reg) == 0.25
    order = [sorted(c.id for c in g) for g in group_by_experiment(claims, cost=cost)]
    assert order[0] == ["pokle.cl-vs-ncl", "pokle.predictor"] and order[-1] == ["lastlayer.reg"], order
    assert scheduling_cost(tmp_path, quick=True)(get_claim("found.srank")) is None  # under 0.5 s: not in the table


def test_timings_table_regenerates_from_a_report(tmp_path):
    from sslverify.verdicts import timings

    module = tmp_path / "timings_copy.py"
    module.write_text(Path(timings.__file__).read_text(encoding="utf-8"), encoding="utf-8")
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"quick": True, "seconds": 9.0, "claims": [
        {"id": "a.slow", "seconds": 7.25}, {"id": "a.cached", "seconds": 50.0, "cached": True},
        {"id": "a.fast", "seconds": 0.1}, {"id": "a.mid", "seconds": 1.0}]}), encoding="utf-8")
    assert timings.update(results, module) == {"a.slow": 7.2, "a.mid": 1.0}  # cached and < 0.5 s left out
    ns: dict = {"__file__": str(module), "__name__": "timings_copy"}
    exec(compile(module.read_text(encoding="utf-8"), str(module), "exec"), ns)
    assert ns["SECONDS"]["quick"] == {"a.slow": 7.2, "a.mid": 1.0}
    assert ns["SECONDS"]["default"] == timings.SECONDS["default"]  # the other table untouched
    results.write_text(json.dumps({"quick": False, "claims": [{"id": "x", "seconds": 1, "cached": True}]}))
    with pytest.raises(ValueError, match="no computed"):
        timings.update(results, module)
    results.write_text("[1, 2]")
    with pytest.raises(ValueError, match="results_path must be"):
        timings.update(results, module)
    results.write_text(json.dumps({"quick": True, "claims": [{"id": "x", "seconds": "slow"}]}))
    with pytest.raises(ValueError, match="numeric 'seconds'"):
        timings.update(results, module)


def test_parallel_run_equals_serial_run(tmp_path):
    ids = ["ziyin.prop6", "found.srank", "rusak.lemma2", "lastlayer.eq7a"]
    claims = [get_claim(i) for i in ids]
    serial = run_checks(claims, quick=True, out_dir=tmp_path / "a", jobs=1, use_cache=False)
    parallel = run_checks(claims, quick=True, out_dir=tmp_path / "b", jobs=2, use_cache=False)
    assert [r.claim.id for r in parallel] == ids
    for s, p in zip(serial, parallel):
        assert (s.computed, s.reason, json.dumps(s.details, sort_keys=True, default=str)) == \
               (p.computed, p.reason, json.dumps(p.details, sort_keys=True, default=str))
    with pytest.raises(ValueError, match="jobs must be an integer >= 1"):
        run_checks(claims, quick=True, out_dir=tmp_path, jobs=0)
