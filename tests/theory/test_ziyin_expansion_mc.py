"""Monte Carlo and autograd checks of the small-W expansion against the ACTUAL weighted InfoNCE
loss (Ziyin et al. eq. 1–4), and the exact relation between eq. 2 and eq. 1."""
from __future__ import annotations

import math

import numpy as np
import pytest

from sslverify.numerics.tolerance import assert_rel_close
from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import expansion_numeric as en

A0 = np.array([[2.0, 0.5], [0.5, 1.0]])  # does not commute with C
C = np.diag([1.5, 3.0])
W = np.array([[0.3, -0.1], [0.2, 0.25]])
Z = 5.0  # 5 MC standard errors: false alarm < 1e-6 per comparison


def _E4(Wm, N, alpha):
    k = ex.coefficients(N, alpha)
    S, P, ta = Wm @ (A0 + C) @ Wm.T, Wm @ C @ Wm.T, np.trace(Wm @ A0 @ Wm.T)
    return k["kS"] * np.trace(S @ S) + k["kP"] * np.trace(P @ P) + k["kT"] * ta**2


@pytest.mark.parametrize("N,alpha,reject_source", [(2, 0.0, True), (3, 0.0, True), (4, 0.5, False), (6, 1.0, False)])
def test_mc_loss_matches_expansion_at_small_w(N, alpha, reject_source):
    # eq. 3 at W/4: E[ℓ] − log K = E2 + E4 + O(W⁶); O(W⁶) ≈ 1e-5 ≪ 5 SE ≈ 1e-4 here
    Ws = W / 4
    r = en.mc_orders(Ws, A0, C, N, alpha, n=60_000, seed=N)
    pred = ex.expected_loss_small_w(Ws, A0, C, N, alpha) - math.log(N - 1 + alpha)
    assert abs(r["loss_minus_logK"] - pred) <= Z * r["se_loss"]
    if reject_source:  # where (1−α)C/N is large the source's eq. 3–4 lies far outside the error bar
        S = Ws @ (A0 + C) @ Ws.T
        src = -np.trace(Ws @ ex.source_B(A0, C, N, alpha) @ Ws.T) + np.trace(S @ S)
        assert abs(r["loss_minus_logK"] - src) > Z * r["se_loss"]


@pytest.mark.parametrize("N,alpha", [(3, 0.0), (4, 0.5)])
def test_mc_quartic_coefficient(N, alpha):
    # eq. 4's ⅛Var replaced by the derived E4: control variate + Richardson (bias O(t⁴) ~ 1e-3 SE)
    m, se = en.mc_quartic_richardson(W, A0, C, N, alpha, t=0.5, n=60_000, seed=10 + N)
    assert abs(m - _E4(W, N, alpha)) <= Z * se
    S = W @ (A0 + C) @ W.T
    assert abs(m - np.trace(S @ S)) > Z * se  # the source's ⅛Var = Tr S² is rejected


def test_mc_N2_alpha0_has_no_quartic():
    # N = 2, α = 0: ℓ = u1 − u0 exactly, so the remainder after order 2 is identically 0
    r = en.mc_orders(W, A0, C, 2, 0.0, n=2_000, seed=1)
    assert abs(r["rest"]) < 1e-12 and r["se_rest"] < 1e-12  # float64 cancellation only


@pytest.mark.parametrize("Cm", [np.zeros((2, 2)), np.diag([4.0, 9.0])])
def test_autograd_hessian_at_origin(Cm):
    # Fig. 1 / eq. 4 (linear model): Hessian of the MC loss at W = 0 is −2b(I⊗A0) for every C
    H, se = en.hessian_at_origin_mc(A0, Cm, 3, 0.3, n=4_000, batches=10, seed=3)
    pred = en.population_hessian_prediction(A0, 3, 0.3, 2)
    # 5 batch SE; 1e-12 floor for entries that vanish identically (cross-row blocks)
    assert np.all(np.abs(H - pred) <= Z * se + 1e-12)


def test_eq2_is_eq1_over_N_minus_logN():
    # eq. 2 vs eq. 1, fixed noise draw: L_eq2 = L_eq1/N − log N (symbolic N = 2..5, numeric N = 7)
    for N in (2, 3, 4, 5):
        assert en.eq2_identity_residual(N) == 0
    rng = np.random.default_rng(0)
    Xh, E, Ep, En = (rng.normal(size=(7, 3)) for _ in range(4))
    r = en.eq1_eq2(rng.normal(size=(2, 3)), Xh, E, Ep, En)
    assert_rel_close(r["eq2"], r["eq1"] / 7 - math.log(7), 1e-12, reason="float64 log-sum-exp of 7 terms")
    assert abs(r["eq2"] - r["eq1"]) > 1.0  # the source's E_ε[L_ε] = L fails
    # E_χ̂ over the negatives only is not even an affine function of eq. 1 (difference varies with W)
    r2 = en.eq1_eq2(2 * rng.normal(size=(2, 3)), Xh, E, Ep, En)
    d1 = r["eq2_negatives_only"] - r["eq1"] / 7
    d2 = r2["eq2_negatives_only"] - r2["eq1"] / 7
    assert abs(d1 - d2) > 1e-3  # an affine relation would give d1 = d2 to float64 round-off (~1e-14); measured ≫ 1e-3


def test_predicted_gram_fixed_dataset_rank():
    # App. B fixed data set, N = 3 points in d0 = 4: rank WᵀW = N − 1 = 2 (data rank), the rest → 0
    X = np.random.default_rng(2).normal(size=(3, 4))
    ev = en.predicted_gram_fixed_dataset(X, 4.0 * np.eye(4), 0.1, steps=60)
    # the data directions end at 0.088, 0.057; the null directions (b = 0: only the quartic pulls them in, so L-BFGS
    # approaches 0 slowly) sit at ~2e-6 after 60 or 400 steps alike: 1e-3 separates them by > 2 decades either side
    assert ev[1] > 1e-3 and ev[2] < 1e-3 * ev[1]


def test_eq2_by_explicit_loops():
    # ziyin.eq2, second method: eq. 1 and eq. 2 written out as plain loops (no shared code with eq1_eq2), N = 5:
    # eq. 1 sums −log(e^{u0}/(Σ_{j≠i} e^{u_j} + e^{u0})) over anchors; eq. 2 averages ½D + log(mean over the N candidates)
    rng = np.random.default_rng(11)
    N, d = 5, 2
    W = rng.normal(size=(3, d))
    xh, e, ep, en = (rng.normal(size=(N, d)) for _ in range(4))
    f = lambda v: W @ v  # noqa: E731
    eq1 = eq2 = 0.0
    for i in range(N):
        fx, fxp = f(xh[i] + e[i]), f(xh[i] + ep[i])
        pos = math.exp(-0.5 * float((fx - fxp) @ (fx - fxp)))
        negs = [math.exp(-0.5 * float((fx - f(xh[j] + en[j])) @ (fx - f(xh[j] + en[j])))) for j in range(N) if j != i]
        eq1 += -math.log(pos / (sum(negs) + pos))
        eq2 += (0.5 * float((fx - fxp) @ (fx - fxp)) + math.log((sum(negs) + pos) / N)) / N
    assert_rel_close(eq2, eq1 / N - math.log(N), 1e-12, reason="float64 sums of 5 exponentials")
    assert abs(eq2 - eq1) > 1.0


def test_collapse_counterexample_mc():
    # ziyin.collapse-threshold, second method: Monte Carlo of the ACTUAL loss (not its expansion) at the counterexample
    # d = 1, N = 2, α = 0, a = 1, c = 4: E ℓ(w) = −a w² (so −1 at w = 1, −0.25 at w = ½) although the source's
    # B = a − c/2 = −1 predicts collapse
    for w, seed in ((1.0, 1), (0.5, 2)):
        r = en.mc_orders(np.array([[w]]), np.array([[1.0]]), np.array([[4.0]]), 2, 0.0, n=50_000, seed=seed)
        assert abs(r["loss_minus_logK"] - (-w**2)) <= Z * r["se_loss"]
    assert ex.source_B([[1.0]], [[4.0]], 2, 0.0)[0, 0] == -1.0
