"""experiments/ziyin_ncrit.py (Ziyin et al. App. B eq. 7, Fig. 2 mid) at a tiny size, plus its CLI errors."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from pathlib import Path

from sslverify.experiments import run_experiment
from sslverify.experiments import ziyin_ncrit as mod
from sslverify.verdicts.builtin.ziyin_expansion import extract_ncrit
from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences
from sslverify.verdicts.registry import get_claim

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "ziyin_ncrit.py"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    return run_experiment("ziyin_ncrit", quick=True, out_dir=tmp_path_factory.mktemp("nc"), ns=(3, 6, 24),
                          steps=2000)


def test_predictions_per_dataset():
    # §1.1 main text: collapse iff (1−α)c/N ≥ â; eq. 7: collapse iff N > â/(c(1−α)); derived: min(d1, N−1)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4))
    pr = mod.predictions(X, c=25.0, alpha=0.1, d1=4)
    assert pr["derived"] == 4
    assert pr["eq7"] == 0  # N = 6 > â/(22.5) for every â < 135: eq. 7 collapses everything
    a = np.asarray(pr["a_hat"])
    assert pr["main"] == int(np.sum(a > 22.5 / 6))
    assert mod.predictions(X, c=25.0, alpha=0.1, d1=4, gamma=0.5)["main"] == int(np.sum(a > 22.5 / 6 + 0.5))
    X3 = rng.standard_normal((3, 4))
    assert mod.predictions(X3, c=25.0, alpha=0.1, d1=4)["derived"] == 2  # centred rank N − 1


def test_quick_run_verdicts(quick):
    assert quick["passed"], [c for c in quick["checks"] if not c["passed"]]
    plain = [r for r in quick["rows"] if r["gamma"] == 0]
    # eq. 7's inequality is inverted: it predicts rank 0 at every N, directions grow from W ≈ 0 at every N
    assert all(r["pred_eq7"] == 0 for r in plain)
    assert all(r["grown_rank"] >= 1 for r in plain)
    # the derived rank is min(d1, N−1); no resolved direction contradicts it
    assert all(r["pred_derived"] == min(4, r["N"] - 1) for r in plain)
    assert all(r["n_mismatch"] == 0 for r in quick["rows"])
    # main text collapses more directions than the derived rule at σ = 5 (N_crit = 22.5/â) — and is contradicted
    contested = [r for r in plain if r["pred_main"] < r["pred_derived"]]
    assert contested and all(r["grown_rank"] > r["pred_main"] for r in contested)
    assert all(t["z_projected"] > 5 for t in quick["landscape"])
    checks = {c["key"]: c["passed"] for c in quick["checks"]}
    assert checks["main_text_contradicted"] and checks["eq7_contradicted"] and checks["derived_rank_followed"]


@pytest.mark.parametrize("cid", ["ziyin.ncrit", "ziyin.collapse-threshold"])
def test_evidence_schema_matches_fixture(quick, cid):
    # the evidence both claims' gathers build from this run has the recorded fixtures' schema, and decides as recorded
    ev = jsonable(extract_ncrit(quick))
    fx = load_fixture(cid)
    assert fx is not None and not schema_differences(schema(fx["ncrit"]), schema(ev))
    rec = get_claim(cid)
    assert rec.decide({**fx, "ncrit": ev}).verdict == rec.verdict


def test_cli_bad_value_exits_2():
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--set", "steps=abc"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "steps" in res.stderr


def test_cli_unknown_field_exits_2():
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--set", "nonsense=1"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2
    assert "unknown config field 'nonsense'" in res.stderr
