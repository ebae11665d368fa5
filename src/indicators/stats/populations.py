"""Named sets of conversations: the numerators and denominators of the tables.

A :class:`Pred` is a named test on a record. A population is a conjunction of preds; its key
(the sorted pred names joined by ``&``, ``alle`` when empty) names the same set of
conversations wherever it appears, so that small-cell suppression treats the same number in
different tables alike.

Definitions (documented in the report):

* ``dwangmiddel``: at least one coercion means coded: ``sextortion`` or ``inwonend``.
* ``niet_familie``: the perpetrator is not only family: ``pleger`` names at least one of
  partner, sociale_omgeving, online_onbekende, anders, or ``pleger`` is unknown (the codebook
  codes ``ontmoeting_*`` only when the perpetrator is not family, so a coder who coded the way
  of meeting has judged the perpetrator not to be family). Conversations whose ``pleger`` is
  only ``ouder`` and/or ``familie_overig`` are excluded.
* ``ontmoeting_bekend``: ``ontmoeting_online`` or ``ontmoeting_offline`` coded.
* ``vorm=onbekend`` / ``pleger=onbekend``: the multi-choice variable is empty or only
  ``onbekend``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .load import StatRecord

FAMILY_PLEGERS = frozenset({"ouder", "familie_overig"})
COERCION_CODES = ("sextortion", "inwonend")
MEETING_CODES = ("ontmoeting_online", "ontmoeting_offline")


@dataclass(frozen=True)
class Pred:
    name: str
    test: Callable[[StatRecord], bool]

    def __call__(self, rec: StatRecord) -> bool:
        return self.test(rec)


def key(preds: Iterable[Pred]) -> str:
    names = sorted({p.name for p in preds})
    return "&".join(names) if names else "alle"


def count(records: Iterable[StatRecord], preds: Iterable[Pred]) -> int:
    preds = list(preds)
    return sum(1 for r in records if all(p(r) for p in preds))


def code(c: str) -> Pred:
    return Pred(f"code={c}", lambda r: c in r.codes)


def context_is(var: str, value: str) -> Pred:
    """Single- or multi-choice variable has ``value`` (``onbekend``: unknown)."""

    def test(r: StatRecord) -> bool:
        v = r.context.get(var)
        if isinstance(v, tuple):
            return (not v) if value == "onbekend" else value in v
        return v == value

    return Pred(f"{var}={value}", test)


def platform(p: str) -> Pred:
    return Pred(f"platform={p}", lambda r: p in r.platforms)


def platform_type(t: str, types: dict[str, str]) -> Pred:
    return Pred(f"platformtype={t}", lambda r: any(types.get(p) == t for p in r.platforms))


def _non_family(r: StatRecord) -> bool:
    pleger = r.context.get("pleger", ())
    return not pleger or not set(pleger) <= FAMILY_PLEGERS


DWANGMIDDEL = Pred("dwangmiddel", lambda r: any(c in r.codes for c in COERCION_CODES))
NIET_FAMILIE = Pred("niet_familie", _non_family)
ONTMOETING_BEKEND = Pred("ontmoeting_bekend", lambda r: any(c in r.codes for c in MEETING_CODES))
PLATFORM_GENOEMD = Pred("platform_genoemd", lambda r: bool(r.platforms))
ONTMOETING_POP = (NIET_FAMILIE, ONTMOETING_BEKEND)
