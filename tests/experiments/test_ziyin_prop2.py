"""experiments/ziyin_prop2.py (Ziyin et al. Thm 1, Prop 2, §1.1) at a tiny size, plus its CLI errors, and the
fixed-data-set expansion it uses (theory/ziyin/expansion_numeric.py) against Monte Carlo."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from pathlib import Path

from sslverify.experiments import run_experiment
from sslverify.numerics.losses import weighted_infonce
from sslverify.numerics.tolerance import monte_carlo_close
from sslverify.theory.ziyin import expansion_numeric as en
from sslverify.theory.ziyin.expansion import predicted_B_fixed_dataset

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "ziyin_prop2.py"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    # tiny: the quick grid with fewer InfoNCE steps (every check must still pass: the derived prediction holds)
    return run_experiment("ziyin_prop2", quick=True, out_dir=tmp_path_factory.mktemp("p2"), infonce_steps=2000,
                          quartic_steps=1200)


KEYS = {"quartic_rank", "quartic_m_span", "quartic_eigs_match", "quartic_bound_tight", "infonce_no_mismatch",
        "infonce_decisive", "source_rank_contradicted", "landscape_projection"}


def _check(res, key):
    return next(c for c in res["checks"] if c["key"] == key)


def test_quick_run_passes(quick):
    assert quick["passed"], [c for c in quick["checks"] if not c["passed"]]


def test_check_keys_are_stable_and_unique(quick):
    # decisions (ziyin.prop2) and other families' checks (ziyin.weight-decay reads `passed` and `summary`) read
    # results by stable keys, never by display names or positions
    keys = [c["key"] for c in quick["checks"]]
    assert len(keys) == len(set(keys)) and set(keys) <= KEYS
    assert {"quartic_rank", "quartic_m_span", "quartic_eigs_match", "quartic_bound_tight"} <= set(keys)
    assert isinstance(quick["passed"], bool) and isinstance(quick["summary"], str)


def test_prop2_evidence_schema_matches_fixture(quick):
    # the evidence ziyin.prop2's gather builds from this run has the committed fixture's schema
    from sslverify.verdicts.builtin.ziyin_landscape import extract_prop2
    from sslverify.verdicts.evidence import load_fixture, schema, schema_differences

    fixture = load_fixture("ziyin.prop2")
    assert fixture is not None, "tests/theory/fixtures/ziyin.prop2.json is missing"
    ours = extract_prop2(quick)
    assert schema_differences(schema(fixture["experiment"]), schema(ours)) == []
    # power: the smallest predicted nonzero eigenvalue is far above the rank threshold (the decision needs ≥ 10×)
    assert ours["power"]["margin"] >= 10


def test_quartic_ranks_follow_prop2(quick):
    # Prop 2: rank(WᵀW) = min(m, d*) at the (global) minimum, m over 0..d0, d1 < d0 included
    assert _check(quick, "quartic_m_span")["passed"]
    for r in quick["quartic"]:
        assert r["meas_rank"] == min(r["m"], r["d1"], 4)
        assert r["max_abs_err"] <= r["tol"]  # Thm 1 global minimum within the stopping-rule bound


def test_infonce_verdict_numbers(quick):
    # §1.1: the source's B = Â0 − (1−α)C/N collapses directions that the derived B = (N/K)·cov keeps
    rows = quick["infonce"]
    assert all(r["n_mismatch"] == 0 for r in rows)
    contested = [r for r in rows if r["source_rank"] < r["derived_rank"]]
    assert contested  # the grid contains disagreements (they decide the verdicts)
    # a direction the source collapses grew ≥ 100× above its initial size in every contested run
    assert all(r["grown_rank"] > r["source_rank"] for r in contested)
    # floor from weight-decay-collapsed directions only (γ > 0 rows)
    assert all(r["gamma"] > 0 for r in rows if r["both_zero"] > 0)
    # the floor must sit ≥ 2 decades below λ_max so that τ = √10·floor and RESOLVE·floor = 10·floor stay < 1
    assert quick["thresholds"]["floor_b"] < 1e-2
    assert all(t["z_projected"] > 5 for t in quick["landscape"])
    # eigenvalues: closer to the derived order-4 minimiser than to the source's Thm 1 minimum
    assert all(r["dev_derived"] < r["dev_source"] for r in rows)


def test_fixed_dataset_orders_match_monte_carlo():
    # eq. 3 expanded to order W⁴ for a fixed data set: exact Isserlis form vs an unbiased MC of the u-series
    rng = np.random.default_rng(0)
    d0, d1, N, alpha = 3, 2, 5, 0.3
    X = rng.standard_normal((N, d0))
    A = rng.standard_normal((d0, d0))
    C = A @ A.T / 3
    W = rng.standard_normal((d1, d0))
    e2, e4 = en.fixed_dataset_orders(W, X, C, alpha)
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
    B = predicted_B_fixed_dataset(X, alpha)
    assert abs(float(e2) + np.trace(W @ B @ W.T)) <= 1e-12 * abs(float(e2))  # float64 round-off


def test_fixed_dataset_minimizer_is_stationary_and_restriction_exact():
    # derived prediction: L-BFGS minimiser of E2 + E4 + γ‖W‖²; isotropic C: restricting W's rows to the centred
    # data span gives the same spectrum (components outside only add to E4)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 4))  # centred rank 2
    C = 4.0 * np.eye(4)
    W, g = en.fixed_dataset_minimizer(X, C, 0.1, gamma=0.05, d1=4)
    assert g < 1e-7  # stopping rule (tolerance_grad 1e-12; strong-Wolfe line search may stop earlier)
    Xc = X - X.mean(0)
    basis = np.linalg.svd(Xc, full_matrices=False)[2][:2].T
    Wb, _ = en.fixed_dataset_minimizer(X, C, 0.1, gamma=0.05, d1=4, basis=basis)
    e, eb = (np.sort(np.linalg.eigvalsh(M.T @ M)) for M in (W, Wb))
    assert np.allclose(e[-2:], eb[-2:], rtol=1e-5)  # two L-BFGS runs stopped by the gradient rule
    assert eb[:2].max() < 1e-12 and e[:2].max() < 1e-3 * e[-1]  # data-rank zeros (b = 0, quartic decay in W)
    with pytest.raises(ValueError, match="gamma"):
        en.fixed_dataset_minimizer(X, C, 0.1, gamma=-1.0)


def test_paired_expected_loss_is_the_trained_loss():
    # common random numbers: the per-draw values are the trainer's weighted InfoNCE on those draws
    rng = np.random.default_rng(5)
    X, C = rng.standard_normal((4, 2)), np.diag([1.0, 0.5])
    Ws = [rng.standard_normal((2, 2)) for _ in range(2)]
    means, v = en.paired_expected_loss(X, C, 0.3, Ws, 50, seed=1)
    g = torch.Generator().manual_seed(1)
    L = torch.tensor(np.diag(np.sqrt([1.0, 0.5])))
    e1 = torch.randn(50, 4, 2, generator=g, dtype=torch.float64) @ L.T
    e2 = torch.randn(50, 4, 2, generator=g, dtype=torch.float64) @ L.T
    Xt = torch.tensor(X)
    ref = weighted_infonce((Xt + e1) @ torch.tensor(Ws[1]).T, (Xt + e2) @ torch.tensor(Ws[1]).T, 0.3).numpy()
    assert np.allclose(v[:, 1], ref, rtol=1e-12) and np.isclose(means[1], ref.mean(), rtol=1e-12)  # same float ops


def test_move_direction_sets_one_eigenvalue():
    from sslverify.experiments.rank_evidence import move_direction

    W = np.random.default_rng(6).standard_normal((3, 3))
    e = np.sort(np.linalg.eigvalsh(W.T @ W))
    W2 = move_direction(W, 0, 2.5)
    e2 = np.sort(np.linalg.eigvalsh(W2.T @ W2))
    assert np.allclose(np.sort(np.r_[e[1:], 2.5]), e2, rtol=1e-12)  # float64 SVD round-off


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


def test_weight_decay_evidence_schema_matches_fixture(quick):
    # ziyin.weight-decay reads this experiment too (its InfoNCE rows and check keys): same schema as its fixture
    from sslverify.verdicts.builtin.ziyin_expansion import extract_prop2_weight_decay
    from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences

    fixture = load_fixture("ziyin.weight-decay")
    assert fixture is not None, "tests/theory/fixtures/ziyin.weight-decay.json is missing"
    ours = jsonable(extract_prop2_weight_decay(quick))
    assert schema_differences(schema(fixture["prop2"]), schema(ours)) == []
