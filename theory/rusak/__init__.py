"""Rusak et al., "Content suppresses style" (seed 000): derivations behind the rusak.* claims.

algebra      lemma 2, lemma 3, lemma 6, eq. 15, the loss at W = 0 (App. A, App. C), exact brute force
dynamics     lemma 5, lemma 7, prop. 2, prop. 3: the eq. 4 gradient of a linear encoder vs eq. 5 (autograd),
             and the exact M → ∞ limit at finite W (quadrature)
first_order  the first-order expected gradient of eq. 4 derived symbolically from the loss (second method)
optimality   prop. 4, cor. 1, prop. 1, prop. 5, prop. 6, lemma 1, the temperature direction
table1       large-N expectations of Table 1: g⁻¹ rows, the sphere's partial-collapse family, the box rescaling
The claims and their decisions live in sslverify.verdicts.builtin.rusak.
"""
