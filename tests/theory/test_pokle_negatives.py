"""pokle.thm1b, reading "negatives x′ ≠ x" (theory/pokle/negatives.py): the losses against written-out sums, the
input checks at their boundaries, the near-best rule, and the search sizes the claim quotes."""
from __future__ import annotations

import itertools
import math

import pytest
import sympy as sp
import torch

from sslverify.theory.pokle import landscape as LS
from sslverify.theory.pokle import negatives as NG
from sslverify.verdicts.builtin import pokle as checks

TAU, ALPHA = 5.0, 0.5  # the setting of the claim and of every *_evidence default: "checked at τ = 5, α = ½"
#: float64 sums of at most a few hundred O(1) terms: round-off ~1e-15, 1e-12 leaves a wide margin
EXACT = 1e-12


def _gram(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    """ReLU Gram matrices of random unit-column W (legal inputs: symmetric, entries ≥ 0)."""
    g = torch.Generator().manual_seed(seed)
    return LS.relu_gram(LS.project_unit_columns(torch.randn(*shape, generator=g, dtype=torch.float64)))


def _limit_loop(G, tau, alpha) -> float:
    """The |B| → ∞ limit written out: (1/d)Σ_i[−τα²G_ii + α log((1/(d−1))Σ_{j≠i}(1 − α + αe^{τG_ij}))]."""
    d = len(G)
    return sum(-tau * alpha**2 * G[i][i] + alpha * math.log(sum(1 - alpha + alpha * math.exp(tau * G[i][j])
                                                                  for j in range(d) if j != i) / (d - 1))
               for i in range(d)) / d


def _eq9_enumerated(G, B, tau, alpha) -> float:
    """Eq. 9 at finite B minus log B, every outcome enumerated: anchor latent i (uniform), masks a, b ~ Bern(α), and
    each of the B negatives its own latent j ≠ i (uniform) and own mask c ~ Bern(α); S⁺ = abG_ii, S⁻ = acG_ij."""
    d = len(G)
    bern = lambda v: alpha if v else 1 - alpha  # noqa: E731
    tot = 0.0
    for i in range(d):
        negs = [(c, j) for c in (0, 1) for j in range(d) if j != i]
        for a, b in itertools.product((0, 1), repeat=2):
            spos = a * b * G[i][i]
            for draw in itertools.product(negs, repeat=B):
                p = bern(a) * bern(b) * math.prod(bern(c) / (d - 1) for c, _ in draw)
                tot += p * math.log(1 + sum(math.exp(tau * (a * c * G[i][j] - spos)) for c, j in draw)) / d
    return tot - math.log(B)


# ----------------------------------------------------------------------------- input checks
def test_alpha_boundaries():
    """α ∈ (0, 1]: α = 1 (no masking) is legal and gives L(I) = −τα² + α·log 1 = −τ; α = 0 is rejected."""
    eye = torch.eye(2, dtype=torch.float64)
    assert float(NG.limit_distinct(eye, 2.0, 1.0)) == -2.0  # −τ·1 + log(1): both exact in float64
    assert math.isfinite(float(NG.limit_distinct(eye, 2.0, 1e-9)))  # just above 0: legal
    for f in (lambda: NG.limit_distinct(eye, 2.0, 0.0), lambda: NG.finite_batch_distinct(eye, 2, 2.0, 0)):
        with pytest.raises(ValueError, match="alpha"):
            f()


# ----------------------------------------------------------------------------- the |B| → ∞ limit
def test_limit_distinct_is_the_row_wise_formula():
    """limit_distinct sums row i over j ≠ i (G_ij), checked on an asymmetric G where rows and columns differ, and on a
    two-level batch (2, 3, d, d) against the formula for each matrix."""
    G = [[0.9, 0.1, 0.7], [0.0, 0.5, 0.2], [0.3, 0.8, 1.0]]
    got = float(NG.limit_distinct(torch.tensor(G, dtype=torch.float64), 2.0, 0.3))
    assert abs(got - _limit_loop(G, 2.0, 0.3)) < EXACT
    Gb = _gram(1, (2, 3, 2, 2))
    got = NG.limit_distinct(Gb, TAU, ALPHA)
    assert got.shape == (2, 3)
    for k, m in itertools.product(range(2), range(3)):
        assert abs(float(got[k, m]) - _limit_loop(Gb[k, m].tolist(), TAU, ALPHA)) < EXACT


# ----------------------------------------------------------------------------- the exact finite-B loss
@pytest.mark.parametrize("d, B, tau, alpha", [
    (2, 1, 2.0, 0.5),  # B = 1, the smallest legal batch
    (3, 2, 1.5, 0.3),  # d = 3: each negative latent has probability α/(d − 1)
    (2, 3, 1.0, 1.0),  # α = 1: masks always on, the 1 − α categories have probability 0
])
def test_finite_batch_distinct_equals_enumeration(d, B, tau, alpha):
    """The multinomial sum over count vectors equals eq. 9 with every (latent, mask) sequence of the negatives
    enumerated one by one (a random ReLU Gram matrix)."""
    G = _gram(d + B, (d, d))
    got = float(NG.finite_batch_distinct(G, B, tau, alpha))
    assert abs(got - _eq9_enumerated(G.tolist(), B, tau, alpha)) < EXACT


def test_finite_batch_distinct_batch_and_dtype():
    """A two-level batch (2, 3, 2, 2) gives each matrix's own value; float32 / bfloat16 inputs keep their dtype."""
    Gb = _gram(2, (2, 3, 2, 2))
    got = NG.finite_batch_distinct(Gb, 2, TAU, ALPHA)
    assert got.shape == (2, 3)
    for k, m in itertools.product(range(2), range(3)):
        assert abs(float(got[k, m]) - _eq9_enumerated(Gb[k, m].tolist(), 2, TAU, ALPHA)) < EXACT
    ref = float(got[0, 0])
    g32 = NG.finite_batch_distinct(Gb[0, 0].float(), 2, TAU, ALPHA)
    assert g32.dtype == torch.float32
    assert abs(float(g32) - ref) < 1e-5  # float32: eps 1.2e-7 over ~20 O(1)-sized terms (e^{τG} ≤ e^5), 1e-5 leaves margin
    gbf = NG.finite_batch_distinct(Gb[0, 0].to(torch.bfloat16), 2, TAU, ALPHA)
    assert gbf.dtype == torch.bfloat16
    assert abs(float(gbf) - ref) < 0.1  # bfloat16: 8 significant bits (~4e-3 relative) per op over ~20 ops


# ----------------------------------------------------------------------------- cosine Gram matrix and the cosine reading
def test_cosine_gram_by_hand():
    """Ĝ = cosines of the ReLU columns: columns (1, 0), (0.6, 0.8) give [[1, .6], [.6, 1]]; a dead column gives a zero
    row and column (F.normalize's convention); a batch gives each matrix's own Ĝ."""
    W1 = torch.tensor([[1.0, 0.6], [0.0, 0.8]], dtype=torch.float64)
    W2 = torch.tensor([[-1.0, 0.6], [0.0, 0.8]], dtype=torch.float64)  # first column dead after the ReLU
    G1 = torch.tensor([[1.0, 0.6], [0.6, 1.0]], dtype=torch.float64)
    G2 = torch.tensor([[0.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    assert torch.allclose(NG.cosine_gram(W1), G1, rtol=0, atol=EXACT)
    assert torch.allclose(NG.cosine_gram(torch.stack([W1, W2])), torch.stack([G1, G2]), rtol=0, atol=EXACT)


def test_cosine_reading_defaults_and_value_at_identity():
    """Default (τ, α) = (5, ½): L(I) = best = −τα² = −1.25.  At (0.7, ½) L(I) = −τα² = −0.175 exactly in float64:
    −τα²·1 + α·log 1 is exact and the mean of the 2 equal diagonal terms is exact."""
    c = NG.cosine_reading_evidence(grid=8)
    assert (c["tau"], c["alpha"]) == (TAU, ALPHA) and c["loss_at_I"] == -1.25 and c["best"] == -1.25
    assert NG.cosine_reading_evidence(0.7, 0.5, grid=4)["loss_at_I"] == -0.7 * 0.5**2


def test_cosine_reading_near_best_is_inclusive():
    """Grid points exactly NEAR above the best count as near-best.  τ = 2e-9, α = 1, 8×8 grid: the best is −τ (nonzero
    orthogonal ReLU columns) and a W with one dead column has exactly −τ/2 = best + NEAR; the count equals one
    written out with F.normalize and the formula."""
    tau, alpha, n = 2e-9, 1.0, 8
    c = NG.cosine_reading_evidence(tau, alpha, grid=n)
    th = [k * (2 * math.pi / n) for k in range(n)]
    vals = []
    for t1, t2 in itertools.product(th, th):
        W = torch.tensor([[math.cos(t1), math.cos(t2)], [math.sin(t1), math.sin(t2)]], dtype=torch.float64)
        U = torch.nn.functional.normalize(torch.relu(W), dim=0)
        vals.append(_limit_loop((U.T @ U).tolist(), tau, alpha))
    best = min(vals)
    assert best == -tau and c["best"] == best
    assert vals.count(best + NG.NEAR) > 0  # the boundary case occurs (one dead column: −τ/2, exact)
    assert c["n_near_best"] == sum(v <= best + NG.NEAR for v in vals)


@pytest.mark.parametrize("scale", [2.0, 1 + 1.000005e-5])
def test_cosine_reading_rejects_non_unit_w_prime(monkeypatch, scale):
    """The unit-column check of W′ fails for a first column of length 2, and of length 1 + 1.000005e-5 (the check is
    absolute 1e-15, round-off of the hand-written entries; test_small_helpers_validation probes its edge)."""
    monkeypatch.setattr(NG, "W_ORTHOGONAL_RELU", ((0.6 * scale, -0.6), (-0.8 * scale, 0.8)))
    assert NG.cosine_reading_evidence(grid=4)["W_prime_unit_columns"] is False


# ----------------------------------------------------------------------------- brute_force: near-best rule, no PGD winner
def _step_loss(G):
    """Takes exactly two values, 0 and NEAR (G_00 > ½), with a zero gradient: PGD leaves every start where it is."""
    return NG.NEAR * (G[..., 0, 0] > 0.5).to(G.dtype) + 0.0 * G.sum((-1, -2))


def test_brute_force_near_best_is_inclusive_on_the_grid():
    """d = 2 grid: points exactly NEAR above the best (here all 16 of the 4×4 grid: values 0 and NEAR) count."""
    out = NG.brute_force(_step_loss, 2, grid=4)
    assert out["best"] == 0.0 and out["n_near_best"] == 16


def test_brute_force_near_best_is_inclusive_after_pgd():
    """d = 3: the PGD end points are the projected starts (zero gradient), at 0 or exactly NEAR: all count."""
    starts = NG.minimize_unit_columns(_step_loss, 3, 6, 0, lr=1.0, seed=0)
    values = set(_step_loss(LS.relu_gram(starts)).tolist())
    assert values == {0.0, NG.NEAR}  # both values occur among the starts
    out = NG.brute_force(_step_loss, 3, samples=8, starts=6, steps=1)
    assert out["best"] == 0.0 and out["n_near_best"] == 6


def test_brute_force_without_a_pgd_winner_reports_nan():
    """With 0 PGD steps and 1 start, 200 random W find a better point: no PGD point is near the best, distance nan."""
    out = NG.brute_force(lambda G: NG.limit_distinct(G, TAU, ALPHA), 3, samples=200, starts=1, steps=0)
    assert out["best_random"] < out["best_pgd"] - NG.NEAR
    assert out["n_near_best"] == 0 and math.isnan(out["max_perm_distance_near_best"])


def test_brute_force_default_search_is_the_full_one(monkeypatch):
    """brute_force's d ≥ 3 defaults are the full search the claim quotes ("20000 random W + projected GD from 48 starts",
    400 steps as in test_thm1b_distinct_brute_force); PGD replaced by a recorder returning I."""
    seen = []

    def pgd(f, d, starts, steps, lr, seed):
        seen.append((d, starts, steps))
        return torch.eye(d, dtype=torch.float64).expand(starts, d, d).clone()

    monkeypatch.setattr(NG, "minimize_unit_columns", pgd)
    out = NG.brute_force(lambda G: NG.limit_distinct(G, TAU, ALPHA), 3)
    assert seen == [(3, 48, 400)]
    assert out["n_points"] == 20048 and out["method"] == "20000 random unit-column W + projected GD from 48 starts"


# ----------------------------------------------------------------------------- SymPy results as text
def test_distinct_symbolic_reports_the_closed_forms():
    """distinct_symbolic() (uncached; default d = 3, the full check's THM1B_SIZES): the printed L(I), ∂L/∂G_00, ∂L/∂G_01
    parse (names tau, alpha, g01, g02) to −τα², −τα²/3 and α²τe^{τg01}/(3·(2 − 2α + αe^{τg01} + αe^{τg02}))."""
    s = NG.distinct_symbolic.__wrapped__()
    assert s["d"] == checks.THM1B_SIZES.at(False).dim == 3
    t, a, g01, g02 = sp.symbols("tau alpha g01 g02")
    want = {"loss_at_identity": -t * a**2, "dL_dGii": -t * a**2 / 3,
            "dL_dGij": a**2 * t * sp.exp(t * g01) / (3 * (2 - 2 * a + a * sp.exp(t * g01) + a * sp.exp(t * g02)))}
    for key, expr in want.items():
        assert sp.simplify(sp.sympify(s[key]) - expr) == 0, (key, s[key])


# ----------------------------------------------------------------------------- the evidence functions' settings
def _record_brute_force(monkeypatch):
    """Replace brute_force by a recorder of (d, sizes, loss at W = I)."""
    calls = []

    def rec(loss, d, **kw):
        calls.append(dict(kw, d=d, at_I=float(loss(LS.relu_gram(torch.eye(d, dtype=torch.float64))))))
        return {"d": d}

    monkeypatch.setattr(NG, "brute_force", rec)
    return calls


def _a17_at_identity_over_d(d, tau, alpha):
    """A.17/d at G = I by hand: row i's term is log(1 + (d−1)e^{−τb_i}), so A.17/d = α²log(1 + (d−1)e^{−τ})
    + α(1 − α)log d + (1 − α)log d (the last from the anchor's mask off)."""
    return alpha**2 * math.log(1 + (d - 1) * math.exp(-tau)) + alpha * (1 - alpha) * math.log(d) + (1 - alpha) * math.log(d)


@pytest.mark.parametrize("quick, grid, samples, starts", [(True, 72, 4000, 16), (False, 180, 20000, 48)])
def test_a16_literal_settings(monkeypatch, quick, grid, samples, starts):
    """A.16 literal reading at the default (τ, α) = (5, ½): losses A.17/2, A.17/3 (value at I by hand); quick sizes as
    quoted in the claim (72×72 grid, 4000 W, 16 starts), full sizes those of its full search (180×180, 20000, 48);
    PGD at lr 10 for 250 steps (the docstring's setting)."""
    calls = _record_brute_force(monkeypatch)
    kw = {} if quick else {"quick": False}
    NG.a16_literal_evidence(**kw)
    d2, d3 = calls
    assert d2["d"] == 2 and d2["grid"] == grid and abs(d2["at_I"] - _a17_at_identity_over_d(2, TAU, ALPHA)) < EXACT
    assert (d3["d"], d3["samples"], d3["starts"], d3["steps"], d3["lr"]) == (3, samples, starts, 250, 10.0)
    assert abs(d3["at_I"] - _a17_at_identity_over_d(3, TAU, ALPHA)) < EXACT


@pytest.mark.parametrize("quick, grid, samples, starts, steps", [(True, 72, 4000, 16, 250), (False, 180, 20000, 48, 400)])
def test_readings_settings(monkeypatch, quick, grid, samples, starts, steps):
    """Both readings at the default (5, ½): the searches' sizes (quick: the snapshot's 72×72 / 4000 W, 16 starts, 250
    steps; full: the claim's 180×180 / 20000 W, 48 starts, 400 steps as in test_thm1b_distinct_brute_force); the exact
    B = 4 loss at I by hand, α²log(1 + 4e^{−τ}) + (1 − α²)log 5 − log 4 (every S⁻ = 0 at G = I), minimised on the grid
    exactly at the 2 permutations (on the grid: its size is a multiple of 4)."""
    calls = _record_brute_force(monkeypatch)
    kw = {} if quick else {"quick": False}
    r = NG.readings_evidence(**kw)
    assert (r["tau"], r["alpha"], r["bound"]) == (TAU, ALPHA, -1.25)
    dist2, dist3, iid2 = calls
    assert (dist2["d"], dist2["grid"], iid2["d"], iid2["grid"]) == (2, grid, 2, grid)
    assert (dist3["d"], dist3["samples"], dist3["starts"], dist3["steps"]) == (3, samples, starts, steps)
    assert abs(dist2["at_I"] + 1.25) < EXACT and abs(dist3["at_I"] + 1.25) < EXACT
    iid_I = -TAU * ALPHA**2 + ALPHA * math.log((1 - ALPHA + ALPHA * math.exp(TAU) + 1) / 2)  # limit_eq9(I): mean over all j
    assert abs(iid2["at_I"] - iid_I) < EXACT
    fb = r["distinct"]["finite_B"]
    assert fb["B"] == 4 and fb["grid"] == grid
    want = ALPHA**2 * math.log(1 + 4 * math.exp(-TAU)) + (1 - ALPHA**2) * math.log(5) - math.log(4)
    assert abs(fb["loss_at_I"] - want) < EXACT and abs(fb["best"] - want) < EXACT
    assert fb["n_near_best"] == 2 and fb["max_perm_distance_near_best"] < EXACT


#: a (τ, α) with e^τ(1 − α) = 2 − α exactly in float64 (τ = 13/16: e^τ lies within 0.002 ulp of its float64 value)
EDGE_TAU, EDGE_ALPHA = 0.8125, 0.2022558845589387


@pytest.mark.parametrize("tau, alpha, want", [
    (5.0, 0.5, {"2": False, "3": False}),  # e^5/2 = 74.2 > 1.5, 2.5
    (1.5, 0.5, {"2": False, "3": True}),  # e^1.5/2 = 2.24: > 1.5, ≤ 2.5
    (0.1, 0.5, {"2": True, "3": True}),  # e^0.1/2 = 0.553 ≤ 1.5
    (5.0, 1.0, {"2": True, "3": True}),  # 0 ≤ d − 1
    (EDGE_TAU, EDGE_ALPHA, {"2": True, "3": True}),  # equality at d = 2: the condition is "≤"
])
def test_readings_condition(monkeypatch, tau, alpha, want):
    """The i.i.d.-reading condition e^τ(1 − α) ≤ d − α for d = 2, 3, values worked by hand."""
    assert math.exp(EDGE_TAU) * (1 - EDGE_ALPHA) == 2 - EDGE_ALPHA
    _record_brute_force(monkeypatch)
    assert NG.readings_evidence(tau, alpha)["condition_e_tau_1_minus_alpha_le_d_minus_alpha"] == want


def test_brute_force_default_grid_contains_the_permutations():
    """The d = 2 grid has the angles 2πk/grid; a column on an axis (0, π/2, π, 3π/2) needs grid ≡ 0 mod 4, so only
    then are W = I and the swap on it.  With a loss that is 0 exactly at G = I and positive elsewhere
    (‖G − I‖², G = ReLU(WᵀW) of unit columns), the default grid must reach 0 (up to round-off), at a permutation."""
    def off_identity(G):
        return ((G - torch.eye(2, dtype=G.dtype)) ** 2).sum((-1, -2))

    out = NG.brute_force(off_identity, 2)
    # cos(π/2) is 6e-17 in float64, so the loss at the grid's identity is ~1e-32, not 0
    assert out["best"] < 1e-30 and out["max_perm_distance_near_best"] < 1e-12
    # off by one: no column on an axis, so the best is positive — far above the ~1e-32 round-off of the exact case
    assert NG.brute_force(off_identity, 2, grid=181)["best"] > 1e-20
