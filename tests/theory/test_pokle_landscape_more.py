"""theory/pokle/landscape.py, Thm 1(b) helpers against independent loops: the surrogate A.17 written out as a sum over
a and every mask b, the i.i.d.-negatives limit on batched Gram matrices, the exact finite-B eq.-9 loss at B = 1 enumerated
by hand, and the symbolic derivative of the limit (keys, symbol names and their positive domain)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp
import torch

from sslverify.theory.pokle import landscape as LS


def _a17_loop(G, tau, alpha):
    """A.17 from its definition: Σ_i E_{a,b}[−τ a b_i G_ii + log Σ_j exp(τ a b_j G_ij)], a, b_j ~ Bernoulli(α)."""
    d = len(G)
    tot = 0.0
    for a, pa in ((1, alpha), (0, 1 - alpha)):
        for bits in itertools.product((0, 1), repeat=d):
            p = pa * math.prod(alpha if b else 1 - alpha for b in bits)
            for i in range(d):
                tot += p * (-tau * a * bits[i] * G[i][i] + math.log(sum(math.exp(tau * a * bits[j] * G[i][j]) for j in range(d))))
    return tot


G2 = [[1.0, 0.2], [0.2, 0.5]]
G3 = [[0.9, 0.1, 0.0], [0.1, 0.4, 0.3], [0.0, 0.3, 0.7]]


def test_surrogate_a17_matches_the_written_out_sum():
    """α = 0.3 (≠ ½, so the mask probabilities α and 1 − α differ): A.17 equals the loop over a, b and i, unbatched
    and on a (1, 3, 2, 2) batch of Gram matrices."""
    for G, tau, alpha in ((G2, 2.0, 0.3), (G3, 1.5, 0.3), (G2, 5.0, 0.8)):
        got = float(LS.surrogate_a17(torch.tensor(G, dtype=torch.float64), tau, alpha))
        assert abs(got - _a17_loop(G, tau, alpha)) < 1e-12  # float64 sums of ≤ 2·8·3 terms: round-off ~1e-15
    batch = torch.tensor([[G2, [[0.3, 0.0], [0.0, 0.6]], [[1.0, 1.0], [1.0, 1.0]]]], dtype=torch.float64)
    got = LS.surrogate_a17(batch, 2.0, 0.3)
    assert got.shape == (1, 3)
    for k in range(3):
        assert abs(float(got[0, k]) - _a17_loop(batch[0, k].tolist(), 2.0, 0.3)) < 1e-12  # same round-off bound


def _limit_loop(G, tau, alpha):
    """L∞ = (1/d) Σ_i [−τα² G_ii + α log((1/d) Σ_j (1 − α + α e^{τG_ij}))] written out."""
    d = len(G)
    return sum(-tau * alpha**2 * G[i][i] + alpha * math.log(sum(1 - alpha + alpha * math.exp(tau * G[i][j]) for j in range(d)) / d)
               for i in range(d)) / d


def test_limit_eq9_on_a_batch_of_gram_matrices():
    """limit_eq9 on a (2, 3, 2, 2) batch of Gram matrices equals the written-out formula entry by entry."""
    rng = np.random.default_rng(1)
    W = rng.normal(size=(2, 3, 2, 2))
    G = torch.tensor(W, dtype=torch.float64)
    G = LS.relu_gram(G)
    got = LS.limit_eq9(G, 5.0, 0.5)
    assert got.shape == (2, 3)
    for i in range(2):
        for k in range(3):
            assert abs(float(got[i, k]) - _limit_loop(G[i, k].tolist(), 5.0, 0.5)) < 1e-12  # float64 round-off, ~1e-15


def _finite_b1(tau, alpha, d):
    """Eq. 9 at B = 1, W = I, by enumeration: anchor mask a, positive mask b, negative with the anchor's latent (prob
    1/d) and its own mask c; S⁺ = ab, S⁻ = ac if same latent else 0; loss log(e^{τS⁺} + e^{τS⁻}) − τS⁺, minus log 2."""
    tot = 0.0
    for a, b, c in itertools.product((0, 1), repeat=3):
        p = math.prod(alpha if v else 1 - alpha for v in (a, b, c))
        for same, ps in ((1, 1 / d), (0, 1 - 1 / d)):
            sp_, sn = a * b, a * c * same
            tot += p * ps * (math.log(math.exp(tau * sp_) + math.exp(tau * sn)) - tau * sp_)
    return tot - math.log(2)


def test_finite_batch_loss_at_one_negative_by_enumeration():
    """B = 1 (the binomial has two outcomes): the exact eq.-9 value equals the enumeration over masks and latents."""
    for tau, alpha, d in ((5.0, 0.5, 2), (2.0, 0.3, 3)):
        assert abs(LS.finite_batch_loss_identity(1, tau, alpha, d) - _finite_b1(tau, alpha, d)) < 1e-12  # float64, 16 terms
    # B = 2 with α = 1, d = 1: every negative has the anchor's latent and mask on, so the loss is log(e^τ + 2e^τ) − τ
    # − log 3 = 0 exactly
    assert abs(LS.finite_batch_loss_identity(2, 1.0, 1.0, 1)) < 1e-12  # log of float64 values near e: round-off ~1e-16


def test_limit_derivative_keys_symbols_and_stationary_point():
    """The derivative at G_ij = 0 and g* are returned under their keys, in positive symbols τ, α, g, d; at τ = 5, α = ½,
    d = 2 the derivative by hand is τα²(e^{τg}/2 − 3/2)/(3/2 + e^{τg}/2) and g* = log 3 / 5."""
    r = LS.limit_derivative()
    der, gstar = r["derivative"], r["g_star"]
    names = {s.name: s for s in der.free_symbols}
    assert set(names) == {"tau", "alpha", "g", "d"}
    assert all(s.is_positive is True for s in names.values())
    t, a, g, d = (names[k] for k in ("tau", "alpha", "g", "d"))
    at = {t: 5, a: sp.Rational(1, 2), d: 2}
    for gv in (sp.Rational(1, 10), sp.Rational(1, 1)):
        e = sp.exp(5 * gv)
        hand = 5 * sp.Rational(1, 4) * (e / 2 - sp.Rational(3, 2)) / (sp.Rational(3, 2) + e / 2)
        assert sp.simplify(der.subs(at).subs(g, gv) - hand) == 0
    assert sp.simplify(gstar.subs(at) - sp.log(3) / 5) == 0
