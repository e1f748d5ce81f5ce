"""theory.pokle.relu_dynamics (pokle.thm3, 002 §5.2.1): the exact population of Assumption 1 × eq. 3 masks, and the
initial conditions and algorithm that ``simulate`` runs for each case — re-built here from the source's definitions."""
from __future__ import annotations

import itertools
import math

import torch

from sslverify.numerics.dual_nets import alternating_srelu
from sslverify.theory.pokle import relu_dynamics as RD

F64 = torch.float64


def brute_force_population(d: int, kappa: float, alpha: float) -> dict:
    """(x, D₁, D₂) -> probability, by plain enumeration: Assumption 1 (z_i = ±1 w.p. κ/2 each, 0 w.p. 1 − κ, i.i.d.,
    x = z since M = I) and eq. 3 (two independent diagonal masks, entries i.i.d. Bernoulli(α))."""
    pz = {-1: kappa / 2, 1: kappa / 2, 0: 1 - kappa}
    pd = {1: alpha, 0: 1 - alpha}
    out = {}
    for z in itertools.product((-1, 0, 1), repeat=d):
        for m1 in itertools.product((0, 1), repeat=d):
            for m2 in itertools.product((0, 1), repeat=d):
                out[(z, m1, m2)] = (math.prod(pz[v] for v in z) * math.prod(pd[v] for v in m1)
                                    * math.prod(pd[v] for v in m2))
    return out


def test_population_rows_enumerate_assumption1_and_eq3_masks():
    # every (z, D₁, D₂) exactly once with the product probability; κ = 0.3, α = 0.4 keep κ/2, 1 − κ, α and 1 − α
    # apart so that a swapped or mis-scaled factor shows.  1e-15: products of three float64 factors (~1 ulp each)
    d, kappa, alpha = 2, 0.3, 0.4
    x, d1, d2, w = RD.population_rows(d, kappa, alpha)
    assert x.dtype == d1.dtype == d2.dtype == w.dtype == F64  # the thm3 fixed point is resolved to ~1e-12 in float64
    ref = brute_force_population(d, kappa, alpha)
    rows = [(tuple(int(v) for v in a), tuple(int(v) for v in b), tuple(int(v) for v in c))
            for a, b, c in zip(x.tolist(), d1.tolist(), d2.tolist())]
    assert sorted(rows) == sorted(ref)  # 9 · 4 · 4 = 144 distinct rows, masks in {0, 1}
    assert max(abs(wi - ref[r]) for r, wi in zip(rows, w.tolist())) < 1e-15
    assert abs(float(w.sum()) - 1) < 1e-14  # a probability distribution: 144 float64 additions


def test_population_rows_moments():
    # d = 3, κ = 0.6, α = 0.7: E zzᵀ = κI (symmetric ±1 latent), E D₁ = E D₂ = αI, D₁ ⟂ D₂ ⟂ z; the exact
    # enumeration reproduces them to float64 summation error (1728 terms, 1e-14)
    x, d1, d2, w = RD.population_rows(3, 0.6, 0.7)
    E = lambda v: (w[:, None, None] * v).sum(0)  # noqa: E731
    assert torch.allclose(E(x[:, :, None] * x[:, None, :]), 0.6 * torch.eye(3, dtype=F64), atol=1e-14)
    assert torch.allclose(E(d1[:, :, None] * d2[:, None, :]), torch.full((3, 3), 0.49, dtype=F64), atol=1e-14)
    assert torch.allclose(E(d1[:, :, None] * d1[:, None, :]),
                          torch.full((3, 3), 0.49, dtype=F64) + 0.21 * torch.eye(3, dtype=F64), atol=1e-14)
    assert torch.allclose((w[:, None] * x).sum(0), torch.zeros(3, dtype=F64), atol=1e-15)


def initial_weights(case: str, d: int, K: int, seed: int):
    """The starts the docstring and pokle.thm3's record describe, drawn from one torch generator seeded with ``seed``:
    warm start I + Δ with Δ_ij = (2U − 1)·s, U ~ U[0, 1) (online first, then target), s = 0.99/(10d) (Assumption 2,
    |Δ_ij| < 1/(10d)) or s = 0.3 (far warm start); random start: two N(0, 1) draws."""
    g = torch.Generator().manual_seed(seed)
    eye = torch.eye(d, dtype=F64)
    if case == "random_init":
        return (torch.randn(K, d, d, generator=g, dtype=F64), torch.randn(K, d, d, generator=g, dtype=F64))
    s = 0.3 if case == "far_warm_start" else 0.99 / (10 * d)
    return tuple(eye + (2 * torch.rand(K, d, d, generator=g, dtype=F64) - 1) * s for _ in range(2))


#: the bias of each case (record of pokle.thm3: b = ½ inside Assumption 4's interval, b = 0 makes SReLU the identity,
#: b = 0.99 close to 1)
BIAS = {"assumptions": 0.5, "bias_zero": 0.0, "bias_near_one": 0.99, "far_warm_start": 0.5, "random_init": 0.5}


def row_normalised_distance(W: torch.Tensor) -> torch.Tensor:
    Wn = W / W.norm(dim=-1, keepdim=True)
    return (Wn - torch.eye(W.shape[-1], dtype=F64)).abs().amax((-1, -2))


def test_simulate_initial_conditions_of_every_case():
    # outer = 0: no optimisation step, so initial_dist = final_dist = max over (Wᵒ, Wᵗ) of max|rownorm(W₀) − I| of the
    # re-drawn starts.  1e-15: the same draws and the same float64 operations (differences would be rounding only)
    d, K, seed = 3, 3, 7
    assert RD.CASES == tuple(BIAS)
    for case in RD.CASES:
        r = RD.simulate(case, d=d, K=K, outer=0, seed=seed)
        Wo, Wt = initial_weights(case, d, K, seed)
        ref = torch.maximum(row_normalised_distance(Wo), row_normalised_distance(Wt)).tolist()
        assert r["case"] == case and r["bias"] == BIAS[case]
        assert len(r["initial_dist"]) == K and max(abs(a - b) for a, b in zip(r["initial_dist"], ref)) < 1e-15
        assert r["final_dist"] == r["initial_dist"] and r["history"] == [r["initial_dist"]]
    # Assumption 2 itself: the warm start's off-identity error stays below 1/(10d) (before row normalisation)
    Wo, Wt = initial_weights("assumptions", d, K, seed)
    assert max(float((Wo - torch.eye(d, dtype=F64)).abs().max()), float((Wt - torch.eye(d, dtype=F64)).abs().max())) \
        < 1 / (10 * d)


def reference_run(case: str, d: int, K: int, seed: int, outer: int, inner: int, kappa=0.5, alpha=0.5):
    """alternating_srelu on the brute-force population with the re-drawn starts and the case's bias (float64), inner
    GD step 20 (the record: "projected GD with step 20"); returns max over (online, target) per outer iteration."""
    pop = brute_force_population(d, kappa, alpha)
    keys = list(pop)
    x = torch.tensor([k[0] for k in keys], dtype=F64)
    d1, d2 = torch.tensor([k[1] for k in keys], dtype=F64), torch.tensor([k[2] for k in keys], dtype=F64)
    w = torch.tensor([pop[k] for k in keys], dtype=F64)
    Wo, Wt = initial_weights(case, d, K, seed)
    b = torch.full((K, d), BIAS[case], dtype=F64)
    hist = alternating_srelu(Wo, Wt, b, b.clone(), x, d1, d2, w, outer=outer, inner=inner, lr=20.0)[2]
    return hist.amax(-1)  # (outer + 1, K)


def close(a, b, tol):
    return max(abs(u - v) for ra, rb in zip(a, b) for u, v in zip(ra, rb)) < tol


def test_simulate_is_the_alternating_algorithm_on_the_population():
    # simulate = alternating_srelu on the exact population with the case's start and bias.  1e-12: the reference sums
    # the same 144 rows in another order (float64 rounding ~1e-16 per step, amplified by at most a few hundred steps)
    for case, K in (("bias_near_one", 2), ("random_init", 3), ("far_warm_start", 2)):
        r = RD.simulate(case, d=2, K=K, outer=2, inner=5, seed=3)
        ref = reference_run(case, 2, K, 3, outer=2, inner=5).tolist()
        assert len(r["history"]) == 3 and all(len(h) == K for h in r["history"])
        assert close(r["history"], ref, 1e-12)
        assert r["initial_dist"] == r["history"][0] and r["final_dist"] == r["history"][-1]


def test_simulate_defaults():
    # the defaults are pokle.thm3's quick setting: d = K = 3, κ = α = ½, seed 0, inner budget 200 (b = 0.99 never meets
    # the inner tolerance, so the budget shows), step 20 (1e-12 as above), outer = 20 iterations (21 history rows) that
    # bring the assumption case to I (float64 fixed point, < 1e-9)
    r = RD.simulate("bias_near_one", outer=1)
    assert close(r["history"], reference_run("bias_near_one", 3, 3, 0, outer=1, inner=200).tolist(), 1e-12)
    a = RD.simulate("assumptions")
    assert len(a["history"]) == 21 and max(a["final_dist"]) < 1e-9
