"""Claim records, verdicts and the outcome of a check.

Every claim of ``../shared/CLAIMS.md`` has one :class:`Claim` record (see
``theory/records/``).  A record holds what we *recorded* (the verdict we expect
and why); the verdict is *computed* by the record's ``check`` function, which
re-runs the project's derivation (and, where the claim has one, its experiment)
and returns an :class:`Outcome`.  ``sslverify check ID`` succeeds only when the
computed verdict equals the recorded one.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

#: Final verdicts (definitions in CLAIMS.md) plus the state of a claim that a later
#: issue will cover.
VERDICTS = ("proved", "confirmed", "corrected", "refuted", "underspecified")
PENDING = "pending"
STATES = VERDICTS + (PENDING,)


@dataclass(frozen=True)
class Source:
    """Where a claim is made: seed file, section and equation."""

    file: str
    section: str
    equation: str = ""

    def __str__(self) -> str:
        parts = [self.file, self.section] + ([self.equation] if self.equation else [])
        return ", ".join(parts)


@dataclass
class Outcome:
    """What a check found.

    verdict: one of VERDICTS (computed from the derivation / experiment).
    reason:  one line, shown in the report table.
    details: JSON-serialisable facts (residuals, fitted slopes, counterexamples...).
    plots:   paths of PNG files the check produced (relative to its output dir).
    """

    verdict: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


#: Signature of a check: check(quick: bool, out_dir: pathlib.Path) -> Outcome
CheckFn = Callable[..., Outcome]


@dataclass(frozen=True)
class Claim:
    """One claim of the register, as the project records it."""

    id: str
    source: Source
    statement: str
    assumptions: tuple[str, ...] = ()
    verdict: str = PENDING
    correction: str | None = None  # what was wrong (corrected / refuted)
    counterexample: str | None = None  # minimal counterexample (refuted, sometimes corrected)
    evidence: tuple[str, ...] = ()  # pytest node ids, experiment scripts
    check: str | None = None  # "module:function" of the check, None while pending
    covered_by: str | None = None  # issue that will cover a pending claim

    def __post_init__(self) -> None:
        if self.verdict not in STATES:
            raise ValueError(f"{self.id}: verdict must be one of {STATES}, got {self.verdict!r}")
        if self.verdict != PENDING and self.check is None:
            raise ValueError(f"{self.id}: a non-pending claim needs a check function")
        if self.verdict in ("corrected", "refuted") and not self.correction:
            raise ValueError(f"{self.id}: a {self.verdict} claim must say what was wrong")
        if self.verdict == "refuted" and not self.counterexample:
            raise ValueError(f"{self.id}: a refuted claim must hold a counterexample")
        if self.verdict == "underspecified" and not self.correction:
            raise ValueError(f"{self.id}: an underspecified claim must say what is missing")

    def check_fn(self) -> CheckFn:
        if self.check is None:
            raise ValueError(f"claim {self.id!r} is pending ({self.covered_by or 'later issue'}); it has no check yet")
        module, _, name = self.check.partition(":")
        return getattr(importlib.import_module(module), name)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": {"file": self.source.file, "section": self.source.section, "equation": self.source.equation},
            "statement": self.statement,
            "verdict": self.verdict,
            "assumptions": list(self.assumptions),
            "correction": self.correction,
            "counterexample": self.counterexample,
            "evidence": list(self.evidence),
            "check": self.check,
        }
