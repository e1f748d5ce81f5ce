"""Rusak et al., "Content suppresses style" (seed 000): derivations behind the rusak.* claims.

algebra     lemma 2, lemma 3, lemma 6, eq. 15, the loss at W = 0 (App. A, App. C)
dynamics    lemma 5, lemma 7, prop. 2, prop. 3: the eq. 4 gradient of a linear encoder vs eq. 5
optimality  prop. 4, cor. 1, prop. 1, prop. 5, prop. 6, lemma 1, the temperature direction
checks      check functions of theory/records/rusak.py
"""
