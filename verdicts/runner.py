"""Run claim checks and compare computed verdicts with the recorded ones.

The status of one check:

* ``reproduced``   the computed verdict equals the recorded one;
* ``computed``     the claim records no verdict (a user's new claim): the computed one is reported;
* ``mismatch``     a verdict was computed and differs from the recorded one;
* ``inconclusive`` the check could not decide (our machinery failed: no convergence, a counterexample
                   that does not re-check, an underpowered experiment); a failure of the check, not a
                   statement about the source;
* ``error``        the check crashed or returned something other than an Outcome.

Only ``reproduced`` and ``computed`` count as success.
"""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sslverify.verdicts.record import INCONCLUSIVE, Claim

OK_STATUSES = ("reproduced", "computed")


@dataclass
class CheckReport:
    claim: Claim
    computed: str | None  # None: the check crashed
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    cached: bool = False

    @property
    def status(self) -> str:
        if self.error is not None or self.computed is None:
            return "error"
        if self.computed == INCONCLUSIVE:
            return "inconclusive"
        if self.claim.verdict is None:
            return "computed"
        return "reproduced" if self.computed == self.claim.verdict else "mismatch"

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def reproduced(self) -> bool:
        return self.status == "reproduced"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "recorded": self.claim.verdict,
            "computed": self.computed,
            "status": self.status,
            "reproduced": self.reproduced,
            "reason": self.reason,
            "details": self.details,
            "plots": self.plots,
            "seconds": round(self.seconds, 2),
            "cached": self.cached,
            "error": self.error,
        }


def run_check(claim: Claim, quick: bool, out_dir: Path) -> CheckReport:
    """Re-run one claim's derivation (and experiment); never raises for a failing check."""
    t0 = time.time()
    try:
        outcome = claim.run(quick=quick, out_dir=Path(out_dir))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a crashed check is reported, not hidden
        return CheckReport(claim, None, f"check crashed: {type(exc).__name__}: {exc}", seconds=time.time() - t0,
                           error=traceback.format_exc(limit=6))
    return CheckReport(claim, outcome.verdict, outcome.reason, outcome.details, list(outcome.plots),
                       seconds=time.time() - t0)
