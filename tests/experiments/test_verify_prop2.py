"""experiments/verify_prop2.py (Ziyin et al. Thm 1, Prop 2, §1.1) at a tiny size, plus its CLI errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from numerics.experiment import REPO_ROOT, load_spec, run_experiment
from numerics.tolerance import monte_carlo_close

SCRIPT = REPO_ROOT / "experiments" / "verify_prop2.py"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    # tiny: one k per m-group, one σ, one α; the quartic part is what Prop 2 / Thm 1 decide
    return run_experiment("verify_prop2", quick=True, out_dir=tmp_path_factory.mktemp("p2"),
                          ks=(0.15, 0.45, 1.0, 2.0, 4.0), sigmas=(2.5,), quartic_steps=1500, infonce_steps=1500)


def _check(res, prefix):
    return next(c for c in res["checks"] if c["name"].startswith(prefix))


def test_quartic_ranks_follow_prop2(quick):
    # Prop 2: rank(WᵀW) = min(m, d*) at the (global) minimum, m over 0..d0, d1 < d0 included
    assert _check(quick, "quartic rank")["passed"]
    assert _check(quick, "quartic m spans")["passed"]
    ranks = {(r["m"], r["d1"]): r["meas_rank"] for r in quick["quartic"]}
    for (m, d1), rank in ranks.items():
        assert rank == min(m, d1, 4)


def test_quartic_eigenvalues_match_thm1(quick):
    # Thm 1 global minimum, tolerance from the final gradient norm (stopping rule), see _quartic_rows
    assert _check(quick, "quartic eigenvalues")["passed"]
    assert _check(quick, "quartic stopping bound")["passed"]
    assert all(r["max_abs_err"] <= r["tol"] for r in quick["quartic"])


def test_infonce_eigenvalues_closer_to_derived_than_source(quick):
    # §1.1: the source's B = A0 − (1−α)C/N with quartic Tr S² vs the derived fixed-dataset expansion
    for r in quick["infonce"]:
        assert r["dev_derived"] < r["dev_source"], r


def test_fixed_dataset_orders_match_monte_carlo():
    # eq. 3 expanded to order W⁴ for a fixed dataset: exact Isserlis form vs an unbiased MC of the u-series
    P2 = sys.modules.get("sslverify_experiments_verify_prop2") or (load_spec("verify_prop2") and
                                                                  sys.modules["sslverify_experiments_verify_prop2"])
    rng = np.random.default_rng(0)
    d0, d1, N, alpha = 3, 2, 5, 0.3
    X = rng.standard_normal((N, d0))
    A = rng.standard_normal((d0, d0))
    C = A @ A.T / 3
    W = rng.standard_normal((d1, d0))
    e2, e4 = P2.fixed_dataset_orders(torch.tensor(W), torch.tensor(X), torch.tensor(C), alpha)
    K = N - 1 + alpha
    L = np.linalg.cholesky(C)
    R = 20000
    x = X + rng.standard_normal((R, N, d0)) @ L.T
    xp = X + rng.standard_normal((R, N, d0)) @ L.T
    fx, fxp = x @ W.T, xp @ W.T
    u = -0.5 * ((fx[:, :, None, :] - fxp[:, None, :, :]) ** 2).sum(-1)
    w = np.full((N, N), 1 / K)
    np.fill_diagonal(w, alpha / K)
    S, Q = (w * u).sum(-1), (w * u * u).sum(-1)
    c2 = (-np.diagonal(u, axis1=1, axis2=2) + S).mean(1)
    c4 = (0.5 * (Q - S * S)).mean(1)
    # z = 5 standard errors: false-alarm rate < 1e-6 (monte_carlo_close)
    ok2, m2, se2 = monte_carlo_close(c2, float(e2))
    ok4, m4, se4 = monte_carlo_close(c4, float(e4))
    assert ok2, (float(e2), m2, se2)
    assert ok4, (float(e4), m4, se4)
    # the order-2 part equals −(N/K)Tr[W(Â0 − m mᵀ)Wᵀ] (expansion.predicted_B_fixed_dataset)
    from theory.ziyin.expansion import predicted_B_fixed_dataset
    B = predicted_B_fixed_dataset(X, alpha)
    assert abs(float(e2) + np.trace(W @ B @ W.T)) <= 1e-12 * abs(float(e2))  # float64 round-off


def _cli(*args):
    return subprocess.run([sys.executable, str(SCRIPT), "--quick", *args], capture_output=True, text=True, timeout=60)


def test_cli_bad_value_exits_2():
    res = _cli("--set", "quartic_steps=abc")
    assert res.returncode == 2
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "quartic_steps" in err[0]


def test_cli_unknown_field_exits_2():
    res = _cli("--set", "steps=3")
    assert res.returncode == 2
    assert "unknown config field 'steps'" in res.stderr
