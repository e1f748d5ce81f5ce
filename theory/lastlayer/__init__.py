"""Derivations for "Can Weight Regularization in the Last Layer Reduce Dimensional Collapse?"
(``003_*.txt``): variance and covariance of a linear layer's outputs (Prop 1, eq. 3, Prop 2),
rank of the embedding covariance with a fixed subvector (eq. 7a/7b), the InfoNCE gradient through
a constant subvector (eq. 8–9) and the mutual-information argument (Prop 3).

Modules: ``linear`` (Prop 1, eq. 3, Prop 2), ``ranks`` (eq. 7a/7b), ``gradient`` (eq. 8–9),
``information`` (Prop 3), ``power`` (paired t statistics and the smallest detectable effect of the
regulariser experiment, eq. 11).  The claims and their evidence / decision functions live in
``verdicts/builtin/lastlayer.py``.
"""
