"""Run claim checks and compare computed verdicts with the recorded ones."""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from theory.claims import PENDING, Claim, Outcome


@dataclass
class CheckReport:
    claim: Claim
    computed: str | None  # None: pending or the check crashed
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def pending(self) -> bool:
        return self.claim.verdict == PENDING

    @property
    def reproduced(self) -> bool:
        return not self.pending and self.error is None and self.computed == self.claim.verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "recorded": self.claim.verdict,
            "computed": self.computed,
            "reproduced": self.reproduced,
            "reason": self.reason,
            "details": self.details,
            "plots": self.plots,
            "seconds": round(self.seconds, 2),
            "error": self.error,
        }


def run_check(claim: Claim, quick: bool, out_dir: Path) -> CheckReport:
    """Re-run one claim's derivation (and experiment); never raises for a failing check."""
    if claim.verdict == PENDING:
        return CheckReport(claim, None, f"pending: covered by {claim.covered_by or 'a later issue'}")
    t0 = time.time()
    try:
        outcome = claim.check_fn()(quick=quick, out_dir=Path(out_dir))
        if not isinstance(outcome, Outcome):
            raise TypeError(f"check of {claim.id} returned {type(outcome).__name__}, not Outcome")
    except Exception as exc:  # a crashed check is reported, not hidden
        return CheckReport(claim, None, f"check crashed: {type(exc).__name__}: {exc}", seconds=time.time() - t0,
                           error=traceback.format_exc(limit=6))
    return CheckReport(claim, outcome.verdict, outcome.reason, outcome.details, list(outcome.plots),
                       seconds=time.time() - t0)
