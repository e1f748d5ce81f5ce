"""Records for the experiment-only claims of Ziyin et al. (001), App. B: Fig. 3 (normalization)."""
from __future__ import annotations

from theory.claims import Claim, Source

F = "001_e494beef9b3e9713.txt"

RECORDS = [
    Claim(
        id="ziyin.norm-collapse", source=Source(F, "App. B", "Fig. 3"),
        statement=("Linear f = Wx with output normalization f → f/‖f‖, vanilla InfoNCE (eq. 1), fixed Gaussian "
                   "training set, fresh isotropic augmentation N(0, σ²I), Adam (lr 6e-4, 5000 steps): the smallest "
                   "eigenvalues of WᵀW collapse at an augmentation strength σ² much smaller than the smallest "
                   "feature variance a_min (≈ 0.2 in the source), i.e. (i) before σ² reaches a_min while the "
                   "unnormalized model does not collapse, and (ii) far below it (onset σ²/a_min ≤ ¼)."),
        assumptions=("collapse: share λ_min/Σλ below 1% of the isotropic share 1/d (the source states no criterion)",
                     "onset ratio ρ = σ²_onset/a_min per replica, median over replicas with an order-statistic "
                     "interval; replicas already collapsed at σ = 0 counted separately",
                     "temperature 1 (u = −½|f − f'|², as eq. 1); d = 8, N = 64 on a CPU (source: d = 32)"),
        verdict="underspecified",
        correction=("The source gives no collapse criterion, no convergence criterion and no number for 'much "
                    "before'; under the stated criterion the onset is not a reproducible function of σ²: d = 8, "
                    "N = 64, 8 replicas, source protocol with cosine decay and Polyak averaging: median ρ = 0.57 "
                    "with interval [0.18, beyond 1.16] (one replica does not collapse on the grid), 2/8 replicas "
                    "are collapsed already at σ = 0 (7/8 at N = 32, the source's a_min ≈ 0.2 regime) — with "
                    "normalization (temperature 1) the weakest direction can collapse without any augmentation, "
                    "so the attribution of the collapse to augmentation is not supported either — and the loss "
                    "has not reached a plateau after 5000 steps. The unnormalized control does not collapse. "
                    "Missing to decide: a collapse criterion, a temperature, and a protocol that converges."),
        evidence=("experiments/verify_norm_collapse.py",
                  "tests/experiments/test_verify_norm_collapse.py::test_norm_collapse_quick"),
        check="theory.ziyin.checks_experiments:check_norm_collapse",
    ),
]
