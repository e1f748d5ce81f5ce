"""Claim records, verdicts, outcomes and the ``@claim`` decorator (the core of the claim API).

A claim is declared on the function that checks it::

    from sslverify import Outcome, claim

    @claim("mine.scl-span", source="HaoChen et al. 2021, Thm 4.2",
           statement="minimisers of the linear spectral contrastive loss span ...",
           verdict="corrected", correction="...")
    def check(quick, out_dir):
        ...                                  # derive, simulate, compare
        return Outcome("corrected", "one-line reason", {"numbers": 1.0})

A check may also be split into *evidence* and *decision* (the collect → assert pattern): ``gather``
computes the evidence (runs the derivation, a Monte Carlo estimate, an experiment) and returns a
JSON-serialisable dict; the decorated function is then the *decision*, a pure and fast function of
that dict::

    def prop2_evidence(quick, out_dir) -> dict: ...

    @claim("ziyin.prop2", ..., gather=prop2_evidence)
    def decide_prop2(ev: dict) -> Outcome: ...

so that the verdict logic can be tested on recorded or hand-made evidence (tests/theory).

The decorator validates the declaration at once (a bad one raises :class:`ClaimDeclarationError`
naming the file, the line and the rule) and attaches a :class:`Claim` to the function, which stays
callable as before; :mod:`sslverify.verdicts.registry` collects the decorated functions of a module.

``verdict`` is the verdict the author *records* (what ``sslverify check`` must reproduce); a check
*computes* one and returns an :class:`Outcome`.  ``inconclusive`` is an outcome, never a recorded
verdict: the project's own machinery could not decide (a root finder did not converge, a
counterexample did not re-check, an experiment too weak to tell).
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

#: Final verdicts (definitions in CLAIMS.md / README "What the verdicts mean").
VERDICTS = ("proved", "confirmed", "corrected", "refuted", "underspecified")
#: What a check may return besides a verdict: the project could not decide.
INCONCLUSIVE = "inconclusive"
OUTCOMES = VERDICTS + (INCONCLUSIVE,)

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$")


class ClaimDeclarationError(ValueError):
    """A claim was declared wrongly (the message names the file, the line and the rule)."""


@dataclass(frozen=True)
class Source:
    """Where a claim is made: document (a seed file or a citation), section and equation."""

    file: str
    section: str = ""
    equation: str = ""

    def __str__(self) -> str:
        return ", ".join(p for p in (self.file, self.section, self.equation) if p)


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguous statement and the verdict under it.

    name:      short label ("negatives share no latent (x′ ≠ x)").
    verdict:   the verdict the claim gets under this reading (one of VERDICTS).
    basis:     why the text admits this reading (quote / definition it rests on).
    primary:   True for the reading the source's own definitions support; the record's overall
               verdict must equal the primary reading's verdict.
    evidence:  test node ids / experiments for this reading.
    """

    name: str
    verdict: str
    basis: str = ""
    primary: bool = False
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "verdict": self.verdict, "basis": self.basis, "primary": self.primary,
                "evidence": list(self.evidence)}


@dataclass
class Outcome:
    """What a check found.

    verdict: one of OUTCOMES (computed from the derivation / experiment).
    reason:  one line, shown in the report table.
    details: JSON-serialisable facts (residuals, fitted slopes, counterexamples...).
    plots:   paths of PNG files the check produced (relative to its output dir).
    """

    verdict: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.verdict not in OUTCOMES:
            raise ValueError(f"Outcome verdict must be one of {OUTCOMES}, got {self.verdict!r}")
        if not isinstance(self.reason, str):
            raise ValueError(f"Outcome reason must be a str, got {type(self.reason).__name__}")
        if not isinstance(self.details, dict):
            raise ValueError(f"Outcome details must be a dict, got {type(self.details).__name__}")

    @property
    def inconclusive(self) -> bool:
        return self.verdict == INCONCLUSIVE


def inconclusive(reason: str, details: dict[str, Any] | None = None) -> Outcome:
    """Our own machinery failed to decide (never a statement about the source)."""
    return Outcome(INCONCLUSIVE, reason, dict(details or {}))


#: Signature of a check: check(quick: bool, out_dir: pathlib.Path) -> Outcome (both arguments optional)
CheckFn = Callable[..., Outcome]


@dataclass(frozen=True)
class Claim:
    """One claim, as its author records it.

    id:             ``family.name`` (lower case; the family is the text before the first dot).
    source:         where the claim is made.
    statement:      the statement as the project reads (or corrects) it.
    assumptions:    what the derivation assumes.
    verdict:        the recorded verdict (one of VERDICTS), or None for a claim whose verdict is not
                    recorded yet (``check`` then reports the computed one without comparing).
    correction:     what was wrong (corrected / refuted) or missing (underspecified).
    counterexample: a minimal counterexample (refuted; often corrected).
    evidence:       pytest node ids and experiment names that back the verdict.
    definitions:    the source's own definitions of the symbols the claim uses, quoted.
    readings:       the readings of an ambiguous statement with the verdict under each.
    scope:          the model class a refutation / correction covers (linear model, fixed features, ...).
    second_method:  pytest node ids re-checking a correction / counterexample by a second method.
    power:          for empirical verdicts: the smallest effect the experiment could detect, and why.
    check:          the function that computes the verdict (the decision, when ``gather`` is given).
    gather:         optional evidence function (quick, out_dir) -> dict; then check(evidence) decides.
    location:       "file:line" of the declaration.
    """

    id: str
    source: Source
    statement: str
    assumptions: tuple[str, ...] = ()
    verdict: str | None = None
    correction: str | None = None
    counterexample: str | None = None
    evidence: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    scope: str | None = None
    second_method: tuple[str, ...] = ()
    power: str | None = None
    check: CheckFn | None = None
    gather: Callable[..., dict] | None = None
    location: str = ""
    builtin: bool = False

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def problems(self) -> list[str]:
        """Rules a declaration breaks (empty when it is well formed)."""
        out = []
        if not isinstance(self.id, str) or not _ID.match(self.id):
            out.append(f"id must look like 'family.name' (lower case letters, digits, '-', '_'), got {self.id!r}")
        if not isinstance(self.statement, str) or not self.statement.strip():
            out.append("statement must be a non-empty string")
        if self.verdict is not None and self.verdict not in VERDICTS:
            hint = " ('inconclusive' is an outcome of a check, never a recorded verdict)" \
                if self.verdict == INCONCLUSIVE else ""
            out.append(f"verdict must be one of {VERDICTS} or None, got {self.verdict!r}{hint}")
        if self.verdict in ("corrected", "refuted") and not self.correction:
            out.append(f"a {self.verdict} claim must say what was wrong (correction=...)")
        if self.verdict == "refuted" and not self.counterexample:
            out.append("a refuted claim must hold a counterexample (counterexample=...)")
        if self.verdict == "underspecified" and not self.correction:
            out.append("an underspecified claim must say what is missing (correction=...)")
        for name in ("assumptions", "evidence", "definitions", "second_method"):
            val = getattr(self, name)
            if not isinstance(val, tuple) or not all(isinstance(x, str) for x in val):
                out.append(f"{name} must be a tuple of strings, got {val!r}")
        if not isinstance(self.readings, tuple) or not all(isinstance(r, Reading) for r in self.readings):
            out.append(f"readings must be a tuple of Reading, got {self.readings!r}")
        elif self.readings:
            for r in self.readings:
                if r.verdict not in VERDICTS:
                    out.append(f"reading {r.name!r}: verdict must be one of {VERDICTS}, got {r.verdict!r}")
            primary = [r for r in self.readings if r.primary]
            if len(primary) != 1:
                out.append(f"readings: exactly one reading must be primary=True (the one the source's own "
                           f"definitions support), got {len(primary)}")
            elif self.verdict is not None and primary[0].verdict != self.verdict:
                out.append(f"the recorded verdict {self.verdict!r} must equal the primary reading's verdict "
                           f"{primary[0].verdict!r} ({primary[0].name!r})")
        if self.check is not None and not callable(self.check):
            out.append("check must be callable")
        if self.gather is not None and not callable(self.gather):
            out.append("gather must be callable (quick, out_dir) -> dict")
        return out

    def gather_evidence(self, quick: bool, out_dir: Path) -> dict[str, Any]:
        """Run ``gather`` (split checks only) and return its JSON-serialisable evidence dict."""
        if self.gather is None:
            raise ValueError(f"claim {self.id!r} has no separate evidence function (its check is one piece)")
        from sslverify.verdicts.evidence import jsonable

        ev = _call_with(self.gather, quick, out_dir)
        if not isinstance(ev, dict):
            raise TypeError(f"{self.location or self.id}: the evidence function of {self.id!r} returned "
                            f"{type(ev).__name__}, not dict (rule: gather returns a JSON-serialisable dict)")
        # the decision always sees the JSON form, so a live run and a recorded fixture decide alike
        return jsonable(ev)

    def decide(self, evidence: dict[str, Any]) -> Outcome:
        """The verdict from given evidence (split checks only): pure, no derivation or training runs."""
        if self.gather is None:
            raise ValueError(f"claim {self.id!r} has no separate decision (its check is one piece)")
        if not isinstance(evidence, dict):
            raise ValueError(f"evidence must be a dict, got {type(evidence).__name__}")
        return self._checked(self.check(evidence))

    def run(self, quick: bool, out_dir: Path) -> Outcome:
        """Compute the verdict: check(quick, out_dir), or decide(gather(quick, out_dir)) for a split check."""
        if self.check is None:
            raise ValueError(f"claim {self.id!r} has no check function")
        if self.gather is not None:
            return self.decide(self.gather_evidence(quick, out_dir))
        return self._checked(_call_with(self.check, quick, out_dir))

    def _checked(self, outcome: Any) -> Outcome:
        if not isinstance(outcome, Outcome):
            raise TypeError(f"{self.location or self.id}: the check of {self.id!r} returned "
                            f"{type(outcome).__name__}, not sslverify.Outcome (rule: a check returns an Outcome)")
        return outcome

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
            "definitions": list(self.definitions),
            "readings": [r.to_json() for r in self.readings],
            "scope": self.scope,
            "second_method": list(self.second_method),
            "power": self.power,
            "location": self.location,
            "builtin": self.builtin,
        }


def _call_with(fn: Callable, quick: bool, out_dir: Path) -> Any:
    """Call fn with whichever of quick / out_dir it accepts."""
    params = inspect.signature(fn).parameters
    takes_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in (("quick", quick), ("out_dir", Path(out_dir))) if takes_kw or k in params}
    return fn(**kwargs)


def _location(fn: Callable) -> str:
    try:
        return f"{inspect.getsourcefile(fn)}:{inspect.getsourcelines(fn)[1]}"
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        return f"{code.co_filename}:{code.co_firstlineno}" if code else repr(fn)


def claim(id: str, source: Source | str, statement: str, assumptions: tuple[str, ...] = (),
          verdict: str | None = None, *, correction: str | None = None, counterexample: str | None = None,
          evidence: tuple[str, ...] = (), definitions: tuple[str, ...] = (), readings: tuple[Reading, ...] = (),
          scope: str | None = None, second_method: tuple[str, ...] = (), power: str | None = None,
          gather: Callable[..., dict] | None = None) -> Callable[[CheckFn], CheckFn]:
    """Declare a claim on the function that checks it (see the module docstring).

    Without ``gather`` the check is called as ``check(quick=..., out_dir=...)`` with whichever of the two
    it accepts; with ``gather`` it is called as ``check(gather(quick=..., out_dir=...))``.  It must return
    an :class:`Outcome`.  Errors name the file and line of the declaration and the rule.
    """
    src = Source(source) if isinstance(source, str) else source

    def deco(fn: CheckFn) -> CheckFn:
        where = _location(fn)
        if not callable(fn):
            raise ClaimDeclarationError(f"{where}: @claim({id!r}) must decorate a function, got {type(fn).__name__}")
        if not isinstance(src, Source):
            raise ClaimDeclarationError(f"{where}: claim {id!r}: source must be a Source or a str, "
                                        f"got {type(source).__name__}")
        if hasattr(fn, "__sslverify_claim__"):
            raise ClaimDeclarationError(f"{where}: one function checks one claim; it already checks "
                                        f"{fn.__sslverify_claim__.id!r}")
        try:
            rec = Claim(id=id, source=src, statement=statement, assumptions=tuple(assumptions), verdict=verdict,
                        correction=correction, counterexample=counterexample, evidence=tuple(evidence),
                        definitions=tuple(definitions), readings=tuple(readings), scope=scope,
                        second_method=tuple(second_method), power=power, check=fn, gather=gather,
                        location=where)
        except TypeError as exc:
            raise ClaimDeclarationError(f"{where}: claim {id!r}: {exc}") from None
        bad = rec.problems()
        if bad:
            raise ClaimDeclarationError(f"{where}: claim {id!r}: " + "; ".join(bad))
        fn.__sslverify_claim__ = rec
        return fn

    return deco


def with_origin(rec: Claim, builtin: bool) -> Claim:
    return replace(rec, builtin=builtin)
