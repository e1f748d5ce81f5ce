"""theory.found.ranks: argument validation, default ranges and the reported Gibbs facts.

Complements test_found_ranks.py (which checks the identities themselves) with what it does not pin: the legal
edge of the covariance identity's sizes, the d-ranges the default calls cover, and every entry of
gibbs_log_inequality's report (each one worked by hand below).
"""
from __future__ import annotations

import pytest

from sslverify.theory.found import ranks


# ----------------------------------------------------------------------------- covariance identity: sizes
@pytest.mark.parametrize("n, d", [(1, 1), (1, 3), (2, 1)])
def test_covariance_identity_holds_on_the_smallest_legal_sizes(n, d):
    """N = 1 (one embedding: Σ = 0 = the single centred outer product) and d = 1 are legal, and the identity holds."""
    assert ranks.covariance_is_sum_of_outer_products(n, d) is True


@pytest.mark.parametrize("n, d", [(0, 2), (2, 0), (0, 0), (-1, 1)])
def test_covariance_identity_rejects_empty_sizes(n, d):
    """n = 0 or d = 0 is the first illegal size of either argument: ValueError naming both, not a 0/0."""
    with pytest.raises(ValueError, match="n and d must be >= 1"):
        ranks.covariance_is_sum_of_outer_products(n, d)


# ----------------------------------------------------------------------------- default ranges
def test_srank_identities_default_covers_d_1_to_6():
    """The default call checks both sum-of-squares identities for d = 1..6 (the range decide_srank requires)."""
    out = ranks.srank_bound_identities()
    assert sorted(out) == [1, 2, 3, 4, 5, 6]
    assert all(v == (True, True) for v in out.values())


def test_erank_facts_default_covers_d_2_to_5():
    """The default call checks log d − H(p) = Σ p log(d p) for d = 2..5 (d = 1 has no free p)."""
    out = ranks.erank_bound_facts()
    assert sorted(out) == [2, 3, 4, 5]
    assert all(v is True for v in out.values())


# ----------------------------------------------------------------------------- Gibbs' inequality report
def test_gibbs_report_entries():
    """f(x) = x − 1 − log x: f'(x) = 1 − 1/x vanishes only at x = 1, f(1) = 1 − 1 − 0 = 0, f''(x) = 1/x² > 0.

    Every reported entry is checked against these hand values (not only the combined "ok")."""
    g = ranks.gibbs_log_inequality()
    assert g["critical_points"] == ["1"]
    assert g["value_at_1"] is True
    assert g["strictly_convex"] is True
    assert g["ok"] is True
    assert set(g) == {"critical_points", "value_at_1", "strictly_convex", "ok"}
