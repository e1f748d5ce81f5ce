"""Edges of four small helpers: the covariance finiteness check of theory/gaussian.py for non-finite atoms that
SymPy leaves unevaluated, the Gauss–Hermite node count of theory/ziyin/nonlinear_features.py (one node, too many
nodes), seeds_needed's power > alpha check (theory/lastlayer/power.py), and the unit-column check of the
cosine-reading W′ (theory/pokle/negatives.py)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.theory.gaussian import gaussian_expectation
from sslverify.theory.lastlayer import power
from sslverify.theory.pokle import negatives as NG
from sslverify.theory.ziyin import nonlinear_features as nf

x = sp.Symbol("x", real=True)
r = sp.Symbol("r", real=True)  # sign unknown: r·oo and r·zoo stay unevaluated products
f = sp.Function("f")


# ----------------------------------------------------------------------------- gaussian: non-finite covariance entries
@pytest.mark.parametrize("entry", [f(sp.zoo), r * sp.zoo, f(sp.oo), r * sp.oo])
def test_covariance_entries_containing_oo_or_zoo_are_not_finite(entry):
    """An entry that merely contains oo or zoo (an undefined function of it, a product with a real symbol of
    unknown sign: SymPy keeps both unevaluated, so they are not oo / zoo themselves) is rejected as non-finite."""
    assert entry not in {sp.oo, -sp.oo, sp.zoo, sp.nan}  # the case the membership test alone would miss
    with pytest.raises(ValueError, match=r"cov must be finite \(no NaN / oo / zoo entries\), got cov\[0, 0\]"):
        gaussian_expectation(x**2, [x], sp.Matrix([[entry]]))


# ----------------------------------------------------------------------------- nonlinear_features: Gauss–Hermite size
def test_one_node_gauss_hermite_evaluates_at_the_mean():
    """nodes = 1 is legal: the one-point Gauss–Hermite rule is the node 0 with weight 1, so the smoothed map is
    φ(x̂ + σ·0) = tanh(x̂) exactly (weights normalised to sum 1: 1.0)."""
    pts = [0.3, -1.2]
    got = nf.smoothed("tanh", pts, 0.7, nodes=1)
    # the rule is exactly (0, 1): only float64 tanh itself is evaluated, so equality to a few ulp (1e-15 relative)
    np.testing.assert_allclose(got, [math.tanh(p) for p in pts], rtol=1e-15, atol=0)


def test_zero_nodes_is_rejected():
    """nodes = 0 (the first illegal count) raises ValueError naming ``nodes``."""
    with pytest.raises(ValueError, match=r"nodes must be an integer >= 1, got 0"):
        nf.smoothed("tanh", [0.3], 0.7, nodes=0)


@pytest.mark.parametrize("nodes", [2.5, "3"])
def test_hermite_rule_size_must_be_an_integer(nodes):
    """The rule builder rejects a non-integer node count with ValueError naming ``nodes`` (the public callers pass
    int(nodes); the builder's own check is what a direct caller meets)."""
    with pytest.raises(ValueError, match=r"nodes must be an integer >= 1"):
        nf._hermite(nodes)


def test_too_many_nodes_is_a_value_error_without_numpy_warnings():
    """400 nodes: numpy's Gauss–Hermite weights overflow (from about 370 nodes); that is reported as one ValueError
    naming ``nodes``, with numpy's floating-point warnings silenced (turned into errors here, none may occur)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"nodes must be small enough for finite Gauss-Hermite weights"):
            nf.smoothed("tanh", [0.3], 0.7, nodes=400)


# ----------------------------------------------------------------------------- power: seeds_needed needs power > alpha
@pytest.mark.parametrize("effect", [0.5, 1e-300])
def test_seeds_needed_rejects_power_equal_to_alpha_up_front(effect):
    """power = alpha (the first illegal power) is refused with ValueError before anything is computed — also for a
    tiny effect, where the normal-approximation start ((z_α + z_π)/δ)² would overflow (z_α + z_π at α = π = 0.05
    is −6.7e-16 in float64, not 0)."""
    with pytest.raises(ValueError, match=r"power must exceed alpha, got power=0.05, alpha=0.05"):
        power.seeds_needed(effect, 0.05, 0.05)


def test_seeds_needed_power_just_above_alpha_is_legal():
    """power = 0.26 > alpha = 0.25 is legal: two seeds already reach power 0.26 at effect 2 sd (power_at(2, 2, ¼)
    ≥ 0.26, the exact noncentral-t power), and 2 is the smallest n, so the answer is 2."""
    assert power.power_at(2.0, 2, 0.25) >= 0.26
    assert power.seeds_needed(2.0, 0.25, 0.26) == 2


# ----------------------------------------------------------------------------- pokle: W′'s unit columns
@pytest.mark.parametrize("scale, unit", [(1.0, True), (1 + 1e-9, False)])
def test_cosine_reading_w_prime_columns_are_unit_to_round_off(monkeypatch, scale, unit):
    """W′ = ((0.6, −0.6), (−0.8, 0.8)) has unit columns (0.36 + 0.64 = 1 up to one ulp: within the check's
    absolute 1e-15); a first column of length 1 + 1e-9 is not unit — it is 1e6 times the check's tolerance, so
    only a looser (relative 1e-5 or absolute 1e-8) check would pass it."""
    monkeypatch.setattr(NG, "W_ORTHOGONAL_RELU", ((0.6 * scale, -0.6), (-0.8 * scale, 0.8)))
    col = torch.tensor(NG.W_ORTHOGONAL_RELU, dtype=torch.float64).norm(dim=0)
    assert abs(float(col[0]) - scale) < 1e-15  # the column really has the intended length (float64 round-off)
    assert NG.cosine_reading_evidence(grid=4)["W_prime_unit_columns"] is unit


# ----------------------------------------------------------------------------- gaussian: −oo inside an expression
@pytest.mark.parametrize("entry", [-sp.oo * r, f(-sp.oo)])
def test_covariance_entries_containing_minus_oo_are_not_finite(entry):
    """SymPy's −oo is its own atom (NegativeInfinity), not −1·oo: an entry containing it must be rejected like oo."""
    assert not entry.has(sp.oo) and entry.has(-sp.oo)  # the case a check for oo alone misses
    with pytest.raises(ValueError, match=r"cov must be finite \(no NaN / oo / zoo entries\), got cov\[0, 0\]"):
        gaussian_expectation(x**2, [x], sp.Matrix([[entry]]))


@pytest.mark.parametrize("expr", [-sp.oo * x, -sp.oo * r * x**2])
def test_expression_containing_minus_oo_is_not_finite(expr):
    """An integrand containing −oo is rejected naming ``expr`` (it would otherwise give nan or −oo·r)."""
    with pytest.raises(ValueError, match=r"expr must be finite"):
        gaussian_expectation(expr, [x], [[1]])


# ----------------------------------------------------------------------------- power: seeds_needed at n_max
@pytest.mark.parametrize("effect", [1e-154, 1e-300, 5e-324])
def test_seeds_needed_tiny_effect_is_more_than_n_max(effect):
    """An effect of 1e-154 sd or less needs ~((z_α + z_π)/δ)² > 1e300 seeds: the documented ValueError naming
    n_max, not an overflow of the normal-approximation start."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"more than n_max=100000 seeds needed"):
            power.seeds_needed(effect, 0.05, 0.8)


@pytest.mark.parametrize("effect", [0.3, 0.15])
def test_seeds_needed_answer_is_legal_exactly_up_to_n_max(effect):
    """With the answer n found with a large n_max, n_max = n returns n and n_max = n − 1 raises: the cap on the
    starting point does not move the boundary.  n is checked against the MDE directly (MDE(n) ≤ δ < MDE(n − 1))."""
    n = power.seeds_needed(effect, 0.05, 0.8)
    assert power.mde_over_sd(n, 0.05, 0.8) <= effect < power.mde_over_sd(n - 1, 0.05, 0.8)
    assert power.seeds_needed(effect, 0.05, 0.8, n_max=n) == n
    with pytest.raises(ValueError, match=f"more than n_max={n - 1} seeds"):
        power.seeds_needed(effect, 0.05, 0.8, n_max=n - 1)
