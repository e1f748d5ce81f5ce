"""Edge, validation and consistency checks of ``theory/ziyin/expansion_numeric`` (Ziyin et al. eq. 1–4): each test
re-derives the quantity by an independent route (numpy re-implementation of eq. 3, the exact fixed-data-set
expectation, a zero-gradient problem whose minimiser is known, the documented seeding protocol)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import expansion_numeric as en

A0 = np.array([[2.0, 0.5], [0.5, 1.0]])
C = np.diag([1.5, 3.0])
EXACT = 1e-12  # float64 round-off of sums of a few O(1) terms


def _lse(a, axis=-1):
    m = a.max(axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis, keepdims=True))).squeeze(axis)


def test_u_to_terms_batched_against_eq3():
    """eq. 3 on a (2, 3, ·) batch: ℓ = −u0 + log(Σ_j e^{u_j} + α e^{u0}), order 2 = −u0 + S, order 4 = ½(Q − S²),
    S, Q the 1/K-weighted first/second moments of (u_j, u0 with weight α), K = (N−1) + α — numpy, 3-d batch so that
    axis −1 differs from axis 1."""
    rng = np.random.default_rng(0)
    u0, uj = rng.normal(size=(2, 3)), rng.normal(size=(2, 3, 4))
    for alpha in (0.0, 0.4):
        ell, o2, o4 = (t.numpy() for t in en._u_to_terms(torch.tensor(u0), torch.tensor(uj), alpha))
        K = 4 + alpha
        ext = np.concatenate([uj, u0[..., None]], -1)
        wts = np.r_[np.ones(4), alpha] / K
        lse = _lse(uj) if alpha == 0 else _lse(np.concatenate([uj, u0[..., None] + math.log(alpha)], -1))
        S, Q = (ext * wts).sum(-1), (ext**2 * wts).sum(-1)
        np.testing.assert_allclose(ell, -u0 + lse, rtol=0, atol=EXACT)
        np.testing.assert_allclose(o2, -u0 + S, rtol=0, atol=EXACT)
        np.testing.assert_allclose(o4, 0.5 * (Q - S**2), rtol=0, atol=EXACT)


def test_sample_population_is_seeded():
    """Every draw from the explicit seed: same seed → identical samples, another seed → different ones."""
    W = torch.tensor([[0.3, -0.1], [0.2, 0.25]], dtype=torch.float64)
    a = en.sample_population(W, A0, C, 3, 0.5, 50, seed=4)
    torch.manual_seed(123)  # the global generator must play no role
    b = en.sample_population(W, A0, C, 3, 0.5, 50, seed=4)
    c = en.sample_population(W, A0, C, 3, 0.5, 50, seed=5)
    for x, y, z in zip(a, b, c):
        assert torch.equal(x, y) and not torch.equal(x, z)


def test_mc_orders_integer_w_defaults_and_se():
    """Integer W is accepted (float64 inside); defaults n = 200 000, seed = 0 as documented; SE = sample std (ddof 1)
    / √n, recomputed from the per-anchor samples; 'rest' is ℓ − log K − order-2 (eq. 3), ≈ 0 vs log K."""
    W1 = [[1]]
    d = en.mc_orders(W1, [[1.0]], [[0.5]], 2, 1.0)
    e = en.mc_orders(np.array([[1.0]]), [[1.0]], [[0.5]], 2, 1.0, n=200_000, seed=0)
    assert d == e
    r = en.mc_orders(np.array([[0.1]]), [[1.0]], [[0.5]], 3, 0.5, n=5, seed=7)
    ell, o2, _ = en.sample_population(torch.tensor([[0.1]], dtype=torch.float64), [[1.0]], [[0.5]], 3, 0.5, 5, 7)
    a = ell.numpy() - math.log(2.5)
    assert abs(r["loss_minus_logK"] - a.mean()) < EXACT
    assert abs(r["se_loss"] - a.std(ddof=1) / math.sqrt(5)) < EXACT
    # at W = 0.1 the order-4 remainder is O(W⁴) ~ 1e-4 per sample, far below 2 log K = 1.8
    assert abs(r["rest"]) < 1e-2


def test_mc_quartic_richardson_definition():
    """Docstring formula: per sample r(s) = ℓ(sW) − log K − order2(sW); c = (4 r(t/2)/(t/2)⁴ − r(t)/t⁴)/3; returns
    (mean c, std(c, ddof=1)/√n) — recomputed from sample_population on the same seed; defaults t = ½, n = 10⁵, seed 0."""
    W = np.array([[0.3, -0.1], [0.2, 0.25]])
    t, n = 0.8, 7
    rs = []
    for s in (t, t / 2):
        ell, o2, _ = en.sample_population(torch.tensor(s * W), A0, C, 3, 0.5, n, 2)
        rs.append((ell.numpy() - math.log(2.5) - o2.numpy()) / s**4)
    c = (4 * rs[1] - rs[0]) / 3
    m, se = en.mc_quartic_richardson(W, A0, C, 3, 0.5, t=t, n=n, seed=2)
    assert abs(m - c.mean()) < 1e-10 and abs(se - c.std(ddof=1) / math.sqrt(n)) < 1e-10  # /s⁴ amplifies round-off
    w1 = np.array([[0.7]])
    assert en.mc_quartic_richardson(w1, [[1.0]], [[0.5]], 2, 1.0) == en.mc_quartic_richardson(
        w1, [[1.0]], [[0.5]], 2, 1.0, t=0.5, n=100_000, seed=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # batches = 1: the SE (ddof 1) of one batch is NaN, unused
def test_hessian_batches_are_seed_offsets():
    """Batch k uses seed + 1000k; mean and SE = std(ddof 1)/√batches over the batch Hessians (each batch re-run alone)."""
    Hk = [en.hessian_at_origin_mc(A0, C, 3, 0.3, n=50, batches=1, seed=5 + 1000 * k)[0] for k in range(3)]
    H, se = en.hessian_at_origin_mc(A0, C, 3, 0.3, n=50, batches=3, seed=5)
    Hk = np.stack(Hk)
    np.testing.assert_allclose(H, Hk.mean(0), rtol=0, atol=EXACT)
    np.testing.assert_allclose(se, Hk.std(0, ddof=1) / math.sqrt(3), rtol=0, atol=EXACT)
    assert H.shape == se.shape == (4, 4)
    # documented defaults n = 20 000, batches = 10, seed = 0 (d0 = 1, N = 2: cheap); each varied alone
    a1, c1 = [[1.0]], [[0.5]]
    ref = en.hessian_at_origin_mc(a1, c1, 2, 0.5, n=20_000, batches=2, seed=0)
    assert all(np.array_equal(x, y) for x, y in zip(en.hessian_at_origin_mc(a1, c1, 2, 0.5, batches=2), ref))
    ref = en.hessian_at_origin_mc(a1, c1, 2, 0.5, n=5, batches=10, seed=0)
    assert all(np.array_equal(x, y) for x, y in zip(en.hessian_at_origin_mc(a1, c1, 2, 0.5, n=5), ref))


def test_truncated_loss_at_zero_is_log_k_and_names_bad_input():
    """eq. 3: at W = 0 every u = 0, so ℓ = log K with K = (N − 1) + α; a non-PSD covariance is named in the error."""
    for N, alpha in ((2, 0.0), (3, 0.5), (5, 1.0)):
        v = en.truncated_loss_torch(torch.zeros(2, 2, dtype=torch.float64), A0, C, N, alpha)
        assert abs(float(v) - math.log(N - 1 + alpha)) < EXACT
    with pytest.raises(ValueError, match="^A0 must"):
        en.make_truncated_loss([[1.0, 0.0], [0.0, -1.0]], C, 3, 0.5)
    with pytest.raises(ValueError, match="^C must"):
        en.make_truncated_loss(A0, [[1.0, 2.0], [0.0, 1.0]], 3, 0.5)


def test_fixed_dataset_orders_integer_w():
    """Integer W gives the same orders as the float64 W."""
    X = np.random.default_rng(1).normal(size=(3, 2))
    a = en.fixed_dataset_orders([[1, 0], [0, 2]], X, C, 0.5)
    b = en.fixed_dataset_orders(np.array([[1.0, 0.0], [0.0, 2.0]]), X, C, 0.5)
    assert all(abs(float(x) - float(y)) < EXACT for x, y in zip(a, b))


def test_fixed_dataset_minimizer_validation():
    """Bad input: gamma < 0 or ∞, d1 < 1, a basis that is not (d0, r) with orthonormal columns → ValueError."""
    X = np.random.default_rng(1).normal(size=(3, 3))
    for g in (-1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="gamma"):
            en.fixed_dataset_minimizer(X, np.eye(3), 0.5, gamma=g, max_iter=1, rounds=1)
    with pytest.raises(ValueError, match="d1"):
        en.fixed_dataset_minimizer(X, np.eye(3), 0.5, d1=0, max_iter=1, rounds=1)
    assert en.fixed_dataset_minimizer(X, np.eye(3), 0.5, d1=1, max_iter=1, rounds=1)[0].shape == (1, 3)  # d1 = 1 is valid
    Q = np.linalg.qr(np.random.default_rng(2).normal(size=(3, 3)))[0]
    for bad in (np.ones(3) / math.sqrt(3),  # 1-d
                np.vstack([Q[:, :2], [0.0, 0.0]]),  # orthonormal columns but 4 rows for d0 = 3
                np.c_[Q[:, 0], Q[:, 1] + 1e-9 * Q[:, 0]]):  # columns 1e-9 off orthogonal: > the stated atol 1e-10 (round-off)
        with pytest.raises(ValueError, match="basis"):
            en.fixed_dataset_minimizer(X, np.eye(3), 0.5, basis=bad, max_iter=1, rounds=1)


def test_fixed_dataset_minimizer_start_and_weight_decay():
    """Identical data points and C = 0: E2 = E4 = 0 for every W (all m = 0, P = 0), so with γ = 0 the gradient is 0
    and L-BFGS returns its start W0 ~ 0.1·N(0, 1) from ``seed`` (default γ = 0, seed = 0); with γ > 0 only γ‖W‖² is
    left and the minimiser is W = 0."""
    X = np.zeros((2, 10))
    W0, g0 = en.fixed_dataset_minimizer(X, np.zeros((10, 10)), 0.5, d1=8, max_iter=5, rounds=1)
    # 80 N(0, 0.01) entries: SE of the sample std = 0.1/√160 ≈ 0.008; 0.04 is 5 SE
    assert W0.shape == (8, 10) and g0 == 0.0 and abs(W0.std() - 0.1) < 0.04
    W0b, _ = en.fixed_dataset_minimizer(X, np.zeros((10, 10)), 0.5, d1=8, seed=0, max_iter=5, rounds=1)
    torch.manual_seed(99)  # the global generator plays no role
    W1, _ = en.fixed_dataset_minimizer(X, np.zeros((10, 10)), 0.5, d1=8, seed=1, max_iter=5, rounds=1)
    W1b, _ = en.fixed_dataset_minimizer(X, np.zeros((10, 10)), 0.5, d1=8, seed=1, max_iter=5, rounds=1)
    assert np.array_equal(W0, W0b) and np.array_equal(W1, W1b) and not np.array_equal(W0, W1)
    Wg, gg = en.fixed_dataset_minimizer(X, np.zeros((10, 10)), 0.5, gamma=0.5, d1=8, max_iter=50, rounds=1)
    assert np.abs(Wg).max() < 1e-8 and gg < 1e-8  # quadratic γ‖W‖²: L-BFGS with line search lands on 0 to round-off
    # gram prediction: same start, same γ (one round of ``steps``)
    ev = en.predicted_gram_fixed_dataset(X, np.zeros((10, 10)), 0.5, d1=8, steps=5)
    np.testing.assert_allclose(ev, np.sort(np.linalg.eigvalsh(W0.T @ W0))[::-1], rtol=0, atol=EXACT)
    assert np.sum(ev > 1e-6) == 8  # rank d1 (8 < 10) at the random start
    ev1 = en.predicted_gram_fixed_dataset(X, np.zeros((10, 10)), 0.5, d1=8, steps=5, seed=1)
    assert not np.allclose(ev, ev1)
    evg = en.predicted_gram_fixed_dataset(X, np.zeros((10, 10)), 0.5, d1=8, steps=50, gamma=0.5)
    assert evg.max() < 1e-12  # W = 0 to round-off (see above)


def test_predicted_gram_is_one_round_of_steps():
    """``predicted_gram_fixed_dataset`` = eigenvalues of WᵀW after ONE L-BFGS round of ``steps`` iterations (docstring);
    3 iterations from the seeded start: far from converged, so a different budget gives a different W."""
    X = np.random.default_rng(3).normal(size=(3, 4))
    ev = en.predicted_gram_fixed_dataset(X, 2.0 * np.eye(4), 0.2, d1=2, steps=3, seed=1)
    W, _ = en.fixed_dataset_minimizer(X, 2.0 * np.eye(4), 0.2, d1=2, seed=1, max_iter=3, rounds=1)
    np.testing.assert_allclose(ev, np.sort(np.linalg.eigvalsh(W.T @ W))[::-1], rtol=0, atol=EXACT)
    W2, _ = en.fixed_dataset_minimizer(X, 2.0 * np.eye(4), 0.2, d1=2, seed=1, max_iter=3, rounds=2)
    assert not np.allclose(W, W2)  # the budget matters at 3 iterations


def test_fixed_dataset_minimizer_descends():
    """Strong-Wolfe L-BFGS (docstring) only accepts steps that decrease E2 + E4 + γ‖W‖²: from the same seeded start the
    loss after k = 1..7 iterations never increases with k (a fixed-step L-BFGS overshoots here and diverges)."""
    X, Cm = np.random.default_rng(3).normal(size=(3, 4)), 2.0 * np.eye(4)
    f = lambda M: sum(float(t) for t in en.fixed_dataset_orders(M, X, Cm, 0.2)) + 0.05 * (M**2).sum()  # noqa: E731
    vals = [f(en.fixed_dataset_minimizer(X, Cm, 0.2, gamma=0.05, d1=2, seed=1, max_iter=k, rounds=1)[0]) for k in range(1, 8)]
    assert np.all(np.diff(vals) <= 1e-12) and vals[-1] < vals[0]  # 1e-12: float64 round-off of an O(1) loss


def test_fixed_dataset_minimizer_converges_in_span_of_basis():
    """A generic problem: L-BFGS (strong Wolfe) ends at a stationary point; with ``basis`` the rows of W lie in
    span(basis) and the loss equals the unrestricted one when the basis spans the centred data and C is isotropic
    (docstring argument)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3, 4))
    W, g = en.fixed_dataset_minimizer(X, 2.0 * np.eye(4), 0.2, gamma=0.05, d1=2, seed=1)
    assert W.shape == (2, 4) and g < 1e-6  # measured 5.5e-8: float64 loss round-off stalls the line search (tolerance_change)
    U = np.linalg.svd((X - X.mean(0)).T, full_matrices=False)[0][:, :2]  # rank 2 = N − 1
    Wb, gb = en.fixed_dataset_minimizer(X, 2.0 * np.eye(4), 0.2, gamma=0.05, d1=2, seed=1, basis=U)
    assert np.abs(Wb - Wb @ U @ U.T).max() < 1e-12 and gb < 1e-6  # float64 projection round-off; stall as above
    f = lambda M: sum(float(t) for t in en.fixed_dataset_orders(M, X, 2.0 * np.eye(4), 0.2)) + 0.05 * (M**2).sum()  # noqa: E731
    assert abs(f(W) - f(Wb)) < 1e-10  # two runs to the same minimum: gradient ≤ 1e-6 → loss gap O(‖∇‖²) ≤ 1e-12
    # explicit documented defaults give the same run
    Wd, _ = en.fixed_dataset_minimizer(X, 2.0 * np.eye(4), 0.2, gamma=0.05, d1=2, seed=1, max_iter=400, rounds=3)
    assert np.array_equal(W, Wd)


def test_paired_expected_loss_validation_and_shapes():
    """draws must be an integer ≥ 2 and α in [0, 1]; outputs: means (len Ws,) = per-draw values (draws, len Ws) averaged."""
    X = np.random.default_rng(4).normal(size=(3, 2))
    for bad in (1, 2.5):
        with pytest.raises(ValueError, match="draws"):
            en.paired_expected_loss(X, C, 0.5, [np.eye(2)], bad, 0)
    with pytest.raises(ValueError, match="alpha"):
        en.paired_expected_loss(X, C, 1.5, [np.eye(2)], 2, 0)
    m, v = en.paired_expected_loss(X, C, 0.5, [np.eye(2), 0.5 * np.eye(2), np.zeros((1, 2))], 2, 0)
    assert m.shape == (3,) and v.shape == (2, 3)
    np.testing.assert_allclose(m, v.mean(0), rtol=0, atol=EXACT)
    # W = 0: every u = 0, ℓ = log K exactly, K = N − 1 + α
    assert np.all(np.abs(v[:, 2] - math.log(2.5)) < EXACT)


def test_paired_expected_loss_noise_free_is_eq3_and_seeded():
    """C = 0 (no noise): each draw is eq. 3 (anchor mean) on the data itself, written out in numpy; integer W accepted;
    with noise: same seed → same draws (the global generator plays no role), common draws across W."""
    X = np.random.default_rng(5).normal(size=(4, 3))
    W = np.array([[1, 0, 2], [0, 1, 1]])
    alpha = 0.3
    _, v = en.paired_expected_loss(X, np.zeros((3, 3)), alpha, [W], 2, 0)
    Y = X @ W.T
    u = -0.5 * ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    # no noise: the positive pair coincides, u0 = 0, so ℓ_i = log(Σ_{j≠i} e^{u_ij} + α)
    ell = [math.log(sum(math.exp(u[i, j]) for j in range(4) if j != i) + alpha) for i in range(4)]
    assert np.all(np.abs(v[:, 0] - np.mean(ell)) < 1e-10)  # float64, exponentials of O(10) arguments
    Ws = [0.3 * np.eye(3), 0.3 * np.eye(3)]
    m1, v1 = en.paired_expected_loss(X, C3, alpha, Ws, 5, 8)
    torch.manual_seed(7)
    m2, v2 = en.paired_expected_loss(X, C3, alpha, Ws, 5, 8)
    _, v3 = en.paired_expected_loss(X, C3, alpha, Ws, 5, 9)
    assert np.array_equal(v1, v2) and not np.array_equal(v1, v3)
    assert np.array_equal(v1[:, 0], v1[:, 1])  # common random numbers: the same draws for every W
    assert np.unique(v1[:, 0]).size == 5  # different draws across rows
    # singular PSD C (rank 1: noise along (1, 1, 1)); eigh returns eigenvalues −6e-16 that the square root must clip
    _, vs = en.paired_expected_loss(X, np.ones((3, 3)), alpha, Ws, 3, 1)
    assert np.all(np.isfinite(vs))


C3 = np.diag([0.5, 1.0, 2.0])


def test_paired_expected_loss_matches_exact_fixed_dataset_expansion():
    """MC of E_ε[L] at small W vs the exact noise expectation log K + E2 + E4 (``make_fixed_dataset_orders``, an
    independent closed form): 4000 draws, compared within 5 SE (O(W⁶) remainder ~1e-6 ≪ SE ~1e-4)."""
    X = np.random.default_rng(6).normal(size=(4, 3))
    W = 0.15 * np.array([[1.0, -0.5, 0.3], [0.2, 0.8, -0.4]])
    m, v = en.paired_expected_loss(X, C3, 0.5, [W], 4000, 3)
    E2, E4 = en.fixed_dataset_orders(W, X, C3, 0.5)
    pred = math.log(3.5) + float(E2) + float(E4)
    se = v[:, 0].std(ddof=1) / math.sqrt(4000)
    assert abs(m[0] - pred) <= 5 * se


def test_eq1_eq2_hand_case():
    """N = 2, d = 1, W = 1, integer inputs: eq. 1 = Σ_i ½D_i + log(e^{−½D_i} + e^{−½|x_i − χ_j|²}), eq. 2 = eq.1/2 − log 2,
    negatives-only eq. 2 = mean(½D_i − ½|x_i − χ_j|²) − log 1, written out by hand."""
    Xh, E, Ep, En = [[0], [1]], [[1], [0]], [[0], [2]], [[3], [-1]]
    r = en.eq1_eq2([[1]], Xh, E, Ep, En)
    x, xp, chi = [1, 1], [0, 3], [3, 0]
    D = [(x[i] - xp[i]) ** 2 for i in range(2)]
    dn = [(x[0] - chi[1]) ** 2, (x[1] - chi[0]) ** 2]
    eq1 = sum(0.5 * D[i] + math.log(math.exp(-0.5 * D[i]) + math.exp(-0.5 * dn[i])) for i in range(2))
    assert abs(r["eq1"] - eq1) < EXACT and abs(r["eq2"] - (eq1 / 2 - math.log(2))) < EXACT
    assert abs(r["eq2_negatives_only"] - np.mean([0.5 * D[i] - 0.5 * dn[i] for i in range(2)])) < EXACT
    assert r["N"] == 2
    # three anchors, 2-d: negatives-only eq. 2 with N − 1 = 2 candidates (log 2 subtracted)
    rng = np.random.default_rng(9)
    Xh, E, Ep, En = (rng.normal(size=(3, 2)) for _ in range(4))
    W = rng.normal(size=(2, 2))
    r = en.eq1_eq2(W, Xh, E, Ep, En)
    f = lambda Z: Z @ W.T  # noqa: E731
    x, xp, chi = f(Xh + E), f(Xh + Ep), f(Xh + En)
    tot = tot1 = 0.0
    for i in range(3):
        D = float((x[i] - xp[i]) @ (x[i] - xp[i]))
        negs = [math.exp(-0.5 * float((x[i] - chi[j]) @ (x[i] - chi[j]))) for j in range(3) if j != i]
        tot += 0.5 * D + math.log(sum(negs) / 2)
        tot1 += 0.5 * D + math.log(sum(negs) + math.exp(-0.5 * D))
    assert abs(r["eq2_negatives_only"] - tot / 3) < EXACT and abs(r["eq1"] - tot1) < EXACT


def test_eq1_eq2_evaluates_in_float64():
    """float32 inputs are evaluated in float64 (the float32 values are exact in float64, so the result equals the one
    from the same values given as float64 to round-off ~1e-15, while float32 sums would be off by ~1e-7)."""
    rng = np.random.default_rng(12)
    args = [rng.normal(size=(2, 3)).astype(np.float32)] + [rng.normal(size=(4, 3)).astype(np.float32) for _ in range(4)]
    r32 = en.eq1_eq2(*args)
    r64 = en.eq1_eq2(*(a.astype(np.float64) for a in args))
    for k in ("eq1", "eq2", "eq2_negatives_only"):
        assert abs(r32[k] - r64[k]) < 1e-12


def test_eq2_identity_residual_symbols_positive():
    """eq. 2 − (eq. 1/N − log N) is identically 0 (D, Z > 0); N = 1 (no negative) is rejected."""
    assert en.eq2_identity_residual(3) == 0
    with pytest.raises(ValueError, match="N"):
        en.eq2_identity_residual(1)
