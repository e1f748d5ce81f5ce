"""found.collapse-iff, found.srank, found.erank, found.srank-limit (note: "The Geometry of Collapse")."""
from __future__ import annotations

import numpy as np
import sympy as sp
import torch
from hypothesis import given, strategies as st

from sslverify.numerics.metrics import entropy_rank, stable_rank
from sslverify.numerics.ssl_metrics import covariance_spectrum
from sslverify.numerics.tolerance import assert_rel_close
from sslverify.theory.found import ranks

# Σ ≠ 0 (srank, erank are 0/0 at Σ = 0); the 1e-3 floor keeps ratios of sums away from underflow
spectra = st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=7).filter(lambda v: sum(v) > 1e-3)


def test_covariance_is_psd_sum():
    # note: Σ = (1/N)ZᵀZ − z̄z̄ᵀ equals the mean of centred outer products (PSD)
    assert ranks.covariance_is_sum_of_outer_products(3, 2)


@given(k=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_collapse_iff_generated(k, seed):
    # Prop 1: rank Σ = d ⇔ λ_min > 0, on embeddings of known rank k in d = 4 (N = 12 > d)
    rng = np.random.default_rng(seed)
    Z = torch.as_tensor(rng.standard_normal((12, k)) @ rng.standard_normal((k, 4)))
    lam = covariance_spectrum(Z)
    # eigvalsh backward error ~ d·eps·λ_max: anything below 1e-10·λ_max is a rounding zero
    positive = int((lam > 1e-10 * lam[-1]).sum())
    assert positive == min(k, 4)
    assert (positive == 4) == bool(lam[0] > 1e-10 * lam[-1])


def test_identical_embeddings_have_rank_zero():
    # the note calls full collapse "rank(Σ) = 1"; identical embeddings give Σ = 0
    Z = torch.tensor([[1.0, -2.0, 0.5]] * 10, dtype=torch.float64)
    assert torch.all(covariance_spectrum(Z).abs() < 1e-15)  # identical rows: centring is exact in float64


def test_srank_identities():
    # Stable rank bounds: sum-of-squares identities for d = 1..6
    assert all(a and b for a, b in ranks.srank_bound_identities(6).values())


@given(spectra)
def test_srank_bounds_property(lams):
    # Stable rank ∈ [1, d]; erank ≥ srank (Rényi entropies decrease with order)
    e = torch.tensor(lams, dtype=torch.float64)
    sr, er = float(stable_rank(e)), float(entropy_rank(e))
    d, nz = len(lams), int((e > 0).sum())
    tol = 1e-12  # float64 sums of ≤ 7 terms
    assert 1 - tol <= sr <= nz + tol and nz <= d
    assert er >= sr - 1e-9  # exp/log rounding
    if nz == 1:
        assert_rel_close(sr, 1.0, 1e-12, reason="float64 ratio of equal sums")


def test_srank_equality_cases():
    # srank = d iff Σ = σ²I; scaled identity vs perturbed
    assert_rel_close(float(stable_rank(torch.full((5,), 3.0, dtype=torch.float64))), 5.0, 1e-14, reason="exact in float64")
    # one eigenvalue 0.3% off: srank = 5 − O(1e-6), far above float64 round-off of the ratio (~1e-15)
    assert float(stable_rank(torch.tensor([3.0, 3, 3, 3, 3.01], dtype=torch.float64))) < 5.0


def test_erank_facts():
    # Entropy rank: KL identity (d = 2..4) and Gibbs' inequality
    assert all(ranks.erank_bound_facts(4).values())
    assert ranks.gibbs_log_inequality()["ok"]


@given(spectra)
def test_erank_bounds_property(lams):
    e = torch.tensor(lams, dtype=torch.float64)
    er = float(entropy_rank(e))
    assert 1 - 1e-12 <= er <= len(lams) + 1e-9  # exp(log d) rounding


def test_srank_limit():
    # Exercise 1: scale invariance and lim_{ε→0} = 1 for symbolic d
    r = ranks.srank_limit()
    assert r["scale_invariant"] and r["closed_form_ok"] and r["limit"] == 1
    assert str(r["first_order_slope"]) == "2*(d - 1)/lambda_1"


def test_srank_limit_needs_small_total_tail():
    # the record's scope sentence: λ₁ ≫ ε alone is not enough, at (d − 1)ε = λ₁ srank = 4 − 4/d → 4 (not 1)
    lam, eps, d = sp.symbols("lambda_1 epsilon d", positive=True)
    srank = (lam + (d - 1) * eps) ** 2 / (lam**2 + (d - 1) * eps**2)  # (tr Σ)²/‖Σ‖_F² of diag(λ₁, ε, …, ε)
    at = srank.subs(eps, lam / (d - 1))
    assert sp.simplify(at - (4 - 4 / d)) == 0 and sp.limit(at, d, sp.oo) == 4
