"""theory/pokle/landscape.py (Thm 1(a)) and theory/pokle/linear_dynamics.py (Thm 2) in detail: what the symbolic
helpers return (symbols with their domains, the loss value on U_≥, the default sizes tied to the rational 3×2
dictionary), the exact eq.-6 loss at d = 3 against the closed form worked by hand, and the samples the float64
second method of Thm 1(a) evaluates (shape, sign, reproducibility, the count of matrices with a negative entry).
"""
from __future__ import annotations

import pytest
import sympy as sp
import torch

from sslverify.theory.pokle import landscape as LS
from sslverify.theory.pokle import linear_dynamics as LD


# ============================================================================= linear_dynamics: symbolic helpers
def test_moment_defaults_fit_the_rational_dictionary():
    """Without arguments the moments have the sizes gd_step_recursion needs for M_RATIONAL (3×2): E zzᵀ = κI₂ (d = 2
    latents, enumerated by hand: E z_i² = κ/2 + κ/2, E z_iz_j = 0) and E[D₂SD₁] = α²S for 3×3 S."""
    assert LD.M_RATIONAL.shape == (3, 2)
    k, E = LD.second_moment_symbolic()
    assert E.shape == (2, 2) and E == k * sp.eye(2)
    a, S, EDSD = LD.masked_cross_moment()
    assert S.shape == EDSD.shape == (3, 3)
    assert (EDSD - a**2 * S).applyfunc(sp.expand) == sp.zeros(3, 3)


def test_learning_rate_bound_is_positive():
    """η_max = λ/(2α²(κ + σ₀²)) > 0 for positive λ, α, κ, σ₀: SymPy can only see it if the symbols carry that domain."""
    eta_max = LD.learning_rate_condition()["eta_max"]
    assert eta_max.is_positive is True
    assert {s.name for s in eta_max.free_symbols} == {"lambda", "alpha", "kappa", "sigma0"}
    assert all(s.is_positive for s in eta_max.free_symbols)


# ============================================================================= landscape: Thm 1(a) symbolic
def test_noncl_loss_symbols_carry_their_domains():
    """noncl_loss_exact returns α as a positive symbol named alpha (a mask rate) and real entries w_ij of W."""
    W, a, L, closed = LS.noncl_loss_exact(2)
    assert a.name == "alpha" and a.is_positive is True
    assert all(W[i, j].is_real is True and W[i, j].name == f"w{i}{j}" for i in range(2) for j in range(2))
    assert a in L.free_symbols and a in closed.free_symbols


def test_thm1a_symbolic_reports_the_minimum_value():
    """On non-negative unit columns the loss is 2 − 2α² (closed form: Σ_ij ReLU(W_ij)² = Σ_j ‖W_{*j}‖² = d)."""
    r = LS.thm1a_symbolic(2)
    got = sp.sympify(r["loss_on_nonnegative_unit_W"])
    assert {s.name for s in got.free_symbols} == {"alpha"}
    alpha = next(iter(got.free_symbols))
    assert sp.expand(got - (2 - 2 * alpha**2)) == 0
    assert r["nonneg_is_minimum"] is True


def test_noncl_loss_exact_at_d3_by_hand():
    """Eq. 6 at d = 3, x = e_j: ReLU(WD₁e_j) = D₁,jj ReLU(W_{*j}), so L = 2 − (2α²/3)Σ_ij ReLU(W_ij)²; at α = ½ and
    W = [[1, −1, 2], [0, 3, −2], [−1, 1, 1]] (exact rationals): Σ ReLU² = 1 + 4 + 9 + 1 + 1 = 16, L = 2 − 8/3 = −2/3."""
    W, a, L, closed = LS.noncl_loss_exact(3)
    Wn = [[1, -1, 2], [0, 3, -2], [-1, 1, 1]]
    sub = {W[i, j]: Wn[i][j] for i in range(3) for j in range(3)}
    sub[a] = sp.Rational(1, 2)
    assert L.subs(sub) == sp.Rational(-2, 3)
    assert closed.subs(sub) == sp.Rational(-2, 3)


# ============================================================================= landscape: Thm 1(a) float64 method
def _record_inputs(monkeypatch):
    seen = []
    real = LS.noncl_loss_enumerated

    def rec(W, alpha):
        seen.append(W.clone())
        return real(W, alpha)
    monkeypatch.setattr(LS, "noncl_loss_enumerated", rec)
    return seen


def test_thm1a_enumerated_default_samples(monkeypatch):
    """By default d = 3 (64 mask pairs × 3 latents, the decision's round-off budget) and n = 200: 200 Gaussian W, 200
    distinct non-negative unit-column W (value 2 − 2α²) and the Gaussian ones with a negative entry, unit columns."""
    seen = _record_inputs(monkeypatch)
    e = LS.thm1a_enumerated()
    assert (e["d"], e["n"], e["alpha"]) == (3, 200, 0.5)
    W, Wpos, Wneg = seen
    assert W.shape == Wpos.shape == (200, 3, 3)
    assert (Wpos >= 0).all() and torch.allclose(Wpos.norm(dim=-2), torch.ones(200, 3, dtype=torch.float64), rtol=0, atol=1e-12)
    assert len({tuple(w.flatten().tolist()) for w in Wpos}) == 200  # n different matrices, not one repeated
    assert Wneg.shape[1:] == (3, 3) and Wneg.shape[0] == e["n_with_negative_entry"]
    assert e["max_abs_gap_nonnegative"] < 1e-12  # float64 sums of 64 mask pairs: round-off ~1e-15


def test_thm1a_enumerated_samples_depend_only_on_the_seed(monkeypatch):
    """The same seed gives the same non-negative samples whatever torch's global generator did before; another seed not."""
    seen = _record_inputs(monkeypatch)
    state = torch.get_rng_state()
    try:
        for glob, seed in ((1, 0), (2, 0), (1, 5)):
            torch.manual_seed(glob)
            LS.thm1a_enumerated(d=2, n=4, seed=seed)
    finally:
        torch.set_rng_state(state)  # leave torch's global generator as the other tests found it
    pos = seen[1::3]
    assert torch.equal(pos[0], pos[1]) and not torch.equal(pos[0], pos[2])


def test_thm1a_enumerated_counts_matrices_with_a_negative_entry(monkeypatch):
    """d = 2: a Gaussian 2×2 matrix is entrywise positive with probability 1/16, so of n = 200 some are; the count and
    the smallest gap (2α²/d)ΣReLU(−W)² over the others are re-done by a loop over the sampled matrices."""
    seen = _record_inputs(monkeypatch)
    e = LS.thm1a_enumerated(d=2, n=200)
    W = seen[0]
    neg, gaps = 0, []
    for w in W:
        cols = w / w.norm(dim=0, keepdim=True)
        if any(float(v) < 0 for v in cols.flatten()):
            neg += 1
            gaps.append(2 * 0.25 / 2 * sum(max(-float(v), 0.0) ** 2 for v in cols.flatten()))
    assert 0 < neg < 200 and e["n_with_negative_entry"] == neg
    # enumeration vs the gap identity in float64: round-off ~1e-16 on O(1) values
    assert e["min_gap_with_negative_entry"] == pytest.approx(min(gaps), abs=1e-12)
    assert min(gaps) > 1e-9  # a negative entry always costs: the gap identity is strictly positive

