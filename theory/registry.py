"""The claim registry: every id of CLAIMS.md, pending or derived.

>>> from theory.registry import get_claim
>>> get_claim("ziyin.thm1").source.file
'001_e494beef9b3e9713.txt'
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import lru_cache

import theory.records as _records_pkg
from theory.claims import Claim
from theory.records.register import REGISTER, pending_records


@lru_cache(maxsize=1)
def registry() -> dict[str, Claim]:
    """All 72 records, in register order; derived records replace pending ones."""
    records = pending_records()
    owner: dict[str, str] = {}
    for info in pkgutil.iter_modules(_records_pkg.__path__):
        if info.name == "register":
            continue
        module = importlib.import_module(f"{_records_pkg.__name__}.{info.name}")
        for rec in getattr(module, "RECORDS", ()):
            if rec.id not in records:
                raise ValueError(f"{module.__name__}: record id {rec.id!r} is not in CLAIMS.md")
            if rec.id in owner:
                raise ValueError(f"claim {rec.id!r} is defined twice ({owner[rec.id]} and {module.__name__})")
            owner[rec.id] = module.__name__
            records[rec.id] = rec
    return {cid: records[cid] for cid, *_ in REGISTER}


def claim_ids() -> list[str]:
    return [cid for cid, *_ in REGISTER]


def get_claim(claim_id: str) -> Claim:
    """The record of ``claim_id``; ValueError naming close matches if it does not exist."""
    reg = registry()
    if claim_id in reg:
        return reg[claim_id]
    close = difflib.get_close_matches(claim_id, reg, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run `sslverify list` for all ids"
    raise ValueError(f"claim_id {claim_id!r} does not exist in CLAIMS.md{hint}")


def select(patterns: list[str]) -> list[Claim]:
    """Claims matching ids or family prefixes like ``ziyin.*`` / ``ziyin``."""
    out: list[Claim] = []
    for pat in patterns:
        fam = pat[:-2] if pat.endswith(".*") else pat
        members = [c for cid, c in registry().items() if cid.split(".", 1)[0] == fam]
        out.extend(members if members else [get_claim(pat)])
    return out
