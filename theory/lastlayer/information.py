"""Prop 3 / eq. 10: "a non-negligible weight norm gives more mutual information".

Eq. 10 writes I(z_k, z_l) as a double sum over coordinate pairs (i, j) of single terms
p(z_k^i, z_l^j) log(p(z_k^i, z_l^j)/(p(z_k^i)p(z_l^j))) with no sum or integral over values, for
"two samples" z_k, z_l.  That is not the mutual information of the vectors (nor a sum of pairwise
mutual informations), so the statement has to be read.  The natural reading — I between the
representations of two views of one input — gives opposite answers depending on a modelling
choice the source does not make:

* (A) deterministic encoder z = Wx: mutual information is invariant under invertible maps of each
  side, so scaling row i of W by any w ≠ 0 leaves I unchanged; "‖W_i‖² < ε ⇒ smaller I" fails for
  every ε > 0 (only W_i = 0 exactly removes information).
* (B) representation with additive noise of fixed scale, z = Wx + ξ: I grows with ‖W_i‖ and → 0
  as W_i → 0: the claim holds.

The source's step "p(z_k^i) < ε because ‖W_i‖² < ε" is also false: a coordinate of small variance
has a *large* density (N(0, s²) has peak 1/(s√(2π)) → ∞ as s → 0).

Derived here for the Gaussian model x ~ N(0, I), views x + η, η ~ N(0, σ²I), one coordinate
scaled by w: ρ² per coordinate and I = −½ log(1 − ρ²).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

W, SIG, NU, S = sp.symbols("w sigma nu s", positive=True)


def coordinate_mi(rho2: sp.Expr) -> sp.Expr:
    """Mutual information of a bivariate Gaussian with squared correlation rho2."""
    return -sp.log(1 - rho2) / 2


@lru_cache(maxsize=None)
def prop3_readings() -> dict:
    # (A) z = w(x + η): Cov = w², Var = w²(1 + σ²)
    rho2_a = sp.simplify((W**2) ** 2 / (W**2 * (1 + SIG**2)) ** 2)
    mi_a = coordinate_mi(rho2_a)
    # (B) z = w(x + η) + ξ, ξ ~ N(0, ν²) independent
    rho2_b = (W**2) ** 2 / (W**2 * (1 + SIG**2) + NU**2) ** 2
    mi_b = coordinate_mi(rho2_b)
    dmi_b = sp.simplify(sp.diff(mi_b, W))
    # density of N(0, s²) at its mode
    peak = 1 / (S * sp.sqrt(2 * sp.pi))
    return {
        "A_mi": str(sp.simplify(mi_a)),
        "A_independent_of_w": bool(sp.simplify(sp.diff(mi_a, W)) == 0),
        "B_mi": str(sp.simplify(mi_b)),
        "B_dmi_dw": str(sp.factor(dmi_b)),
        # every factor of dI/dw is positive for w, σ, ν > 0 (SymPy's sign assumptions): True, False, or
        # None when SymPy cannot decide (kept as None, so that a decision can tell "undecided" from "false")
        "B_increasing_in_w": sp.factor(dmi_b).is_positive,
        "B_limit_w_to_0": str(sp.limit(mi_b, W, 0)),
        "density_peak_limit_s_to_0": str(sp.limit(peak, S, 0)),
    }
