"""Score suggestions against gold-labelled conversations.

Per code and per family: precision, recall, F1 and support; micro and macro averages over the
annotatable codes; platform precision/recall over (conversation, platform) pairs; and per
pattern: the conversations it fired in, how many of those have its code in the gold (true
positives), how many do not (false positives), and its precision. Patterns that never fired
are listed: a researcher sees at once which pattern to fix or drop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .codebook import Codebook
from .conversation import Conversation
from .metrics import prf
from .suggestion import Suggestion


@dataclass
class Evaluation:
    codes: dict[str, dict[str, float]]
    derived: dict[str, dict[str, float]]
    families: dict[str, dict[str, float]]
    micro: dict[str, float]
    macro: dict[str, float]
    platforms: dict[str, float]
    platform_ids: dict[str, dict[str, float]]
    patterns: dict[str, dict[str, Any]]
    never_fired: list[str]
    errors: list[dict[str, Any]] = field(default_factory=list)
    n_conversations: int = 0
    label: str = "rules"
    context: dict[str, dict[str, Any]] = field(default_factory=dict)
    micro_v1: dict[str, float] = field(default_factory=dict)  # codes of codebook 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n_conversations": self.n_conversations,
            "micro": self.micro, "micro_v1": self.micro_v1, "macro": self.macro, "families": self.families,
            "codes": self.codes, "derived": self.derived,
            "platforms": self.platforms, "platform_ids": self.platform_ids,
            "patterns": self.patterns, "never_fired": self.never_fired,
            "context": self.context, "errors": self.errors,
        }


def _id_list(value, known: list[str], what: str, field: str) -> list[str]:
    """Problems of one list of ids: the type, unknown ids, ids in the wrong case."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        kind = "text" if isinstance(value, str) else type(value).__name__
        return [f"'{field}' is {kind}, not a list of {what} ids"]
    by_fold = {k.casefold(): k for k in known}
    out = []
    for x in value:
        if x in known:
            continue
        if x.strip().casefold() in by_fold:
            out.append(f"{what} id {x!r} in the wrong case or with spaces (the codebook "
                       f"id is {by_fold[x.strip().casefold()]!r})")
        else:
            out.append(f"unknown {what} id {x!r}")
    return out


def gold_problems(gold, cb: Codebook) -> list[str]:
    """Why a gold block cannot be scored (empty when it can). Checks types, known ids and
    their case: a code given as text or in another case would otherwise be silently
    ignored and skew the scores. Messages name ids and fields only, never conversation text.
    """
    if not isinstance(gold, dict):
        return ["'gold' is not an object"]
    out = []
    if "codes" not in gold:
        out.append("'gold.codes' is missing")
    else:
        out += _id_list(gold["codes"], list(cb.codes), "code", "gold.codes")
        derived = [c for c in gold["codes"] if isinstance(c, str) and c in cb.codes
                   and cb.codes[c].derived] if isinstance(gold["codes"], list) else []
        out += [f"derived code {c!r} in 'gold.codes' (derived codes are computed, not "
                "given)" for c in derived]
    plats = gold.get("ontmoeting_platforms")
    if plats is not None:
        out += _id_list(plats, list(cb.platforms), "platform", "gold.ontmoeting_platforms")
    ctx = gold.get("context")
    if ctx is not None and not isinstance(ctx, dict):
        out.append("'gold.context' is not an object")
    return out


def gold_codes(conv: Conversation, cb: Codebook) -> set[str]:
    g = conv.gold or {}
    return set(cb.with_derived(list(g.get("codes", []))))


def evaluate(pairs: list[tuple[Conversation, Suggestion]], cb: Codebook,
             pattern_ids: list[str] | None = None, pattern_targets: dict[str, str] | None = None,
             label: str = "rules") -> Evaluation:
    codes = cb.annotatable_codes
    derived = [c for c in cb.codes if cb.codes[c].derived]
    counts = {c: [0, 0, 0] for c in codes + derived}
    plat_counts = defaultdict(lambda: [0, 0, 0])
    ptp = pfp = pfn = 0
    pattern_hits: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"hits": 0, "tp": 0, "fp": 0, "conversations": []})
    errors: list[dict[str, Any]] = []
    for conv, sug in pairs:
        gold = gold_codes(conv, cb)
        pred = set(sug.codes)
        for c in counts:
            if c in pred and c in gold:
                counts[c][0] += 1
            elif c in pred:
                counts[c][1] += 1
                errors.append({"id": conv.id, "code": c, "kind": "false_positive",
                               "evidence": [e.to_dict() for e in sug.evidence if e.code == c]})
            elif c in gold:
                counts[c][2] += 1
                errors.append({"id": conv.id, "code": c, "kind": "false_negative",
                               "evidence": []})
        gp = set((conv.gold or {}).get("ontmoeting_platforms", []))
        pp = set(sug.platforms)
        ptp += len(gp & pp)
        pfp += len(pp - gp)
        pfn += len(gp - pp)
        for p in gp | pp:
            k = plat_counts[p]
            k[0] += p in gp and p in pp
            k[1] += p in pp and p not in gp
            k[2] += p in gp and p not in pp
        for p in pp - gp:
            errors.append({"id": conv.id, "code": f"platform:{p}", "kind": "false_positive",
                           "evidence": [e.to_dict() for e in sug.evidence if e.platform == p]})
        for p in gp - pp:
            errors.append({"id": conv.id, "code": f"platform:{p}", "kind": "false_negative",
                           "evidence": []})
        fired: dict[str, tuple[str, Any]] = {}
        context_ev = [e for c in sug.context.values() for e in c.get("evidence", [])] \
            if sug.context and isinstance(next(iter(sug.context.values())), dict) else []
        for e in [*sug.evidence, *getattr(sug, "fact_evidence", []), *context_ev]:
            if e.source.startswith("pattern:"):
                fired[e.source.removeprefix("pattern:")] = (e.code, e.value)
        gctx = (conv.gold or {}).get("context") or {}
        for pid, (code, value) in fired.items():
            h = pattern_hits[pid]
            h["hits"] += 1
            h["conversations"].append(conv.id)
            if code.startswith("context:"):
                var = cb.context.get(code.removeprefix("context:"))
                if var is None or var.number or value not in var.value_ids:
                    continue  # numbers are judged per variable, not per pattern
                g = gctx.get(var.id)
                ok = value in g if isinstance(g, list) else value == g
                h["tp" if ok else "fp"] += 1
                continue
            if code.startswith("fact:"):
                continue
            if code in gold:
                h["tp"] += 1
            else:
                h["fp"] += 1
    code_m = {c: prf(*counts[c]) for c in codes}
    derived_m = {c: prf(*counts[c]) for c in derived}
    fam: dict[str, dict[str, float]] = {}
    for f in cb.families:
        tp = sum(counts[c][0] for c in cb.codes_in_family(f))
        fp = sum(counts[c][1] for c in cb.codes_in_family(f))
        fn = sum(counts[c][2] for c in cb.codes_in_family(f))
        fam[f] = prf(tp, fp, fn)
    micro = prf(sum(counts[c][0] for c in codes), sum(counts[c][1] for c in codes),
                sum(counts[c][2] for c in codes))
    v1 = cb.codes_before("2.0")  # the codes of codebook 1.0, comparable with earlier figures
    micro_v1 = prf(sum(counts[c][0] for c in v1), sum(counts[c][1] for c in v1),
                   sum(counts[c][2] for c in v1))
    with_support = [c for c in codes if code_m[c]["support"] or code_m[c]["fp"]]
    macro = {k: (sum(code_m[c][k] for c in with_support) / len(with_support)
                 if with_support else 0.0) for k in ("precision", "recall", "f1")}
    pats: dict[str, dict[str, Any]] = {}
    for pid in sorted(set(pattern_hits) | set(pattern_ids or [])):
        h = pattern_hits.get(pid, {"hits": 0, "tp": 0, "fp": 0, "conversations": []})
        target = (pattern_targets or {}).get(pid, "")
        judged = h["tp"] + h["fp"]
        pats[pid] = {"target": target, "hits": h["hits"], "tp": h["tp"], "fp": h["fp"],
                     "precision": (h["tp"] / judged) if judged else None,
                     "fp_conversations": [] if target.startswith("fact:") else [
                         cid for cid in h["conversations"]
                         if target and target not in gold_codes_by_id(pairs, cb).get(cid, set())]}
    never = sorted(pid for pid in (pattern_ids or []) if pid not in pattern_hits)
    return Evaluation(
        codes=code_m, derived=derived_m, families=fam, micro=micro, macro=macro,
        micro_v1=micro_v1,
        platforms=prf(ptp, pfp, pfn),
        platform_ids={p: prf(*v) for p, v in sorted(plat_counts.items())},
        patterns=pats, never_fired=never, errors=errors, n_conversations=len(pairs),
        label=label, context=evaluate_context(pairs, cb, errors),
    )


def _value(sug: Suggestion, var: str) -> Any:
    got = (sug.context or {}).get(var)
    return got.get("value") if isinstance(got, dict) else got


def evaluate_context(pairs: list[tuple[Conversation, Suggestion]], cb: Codebook,
                     errors: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Per context variable, over the conversations whose gold has the variable:

    - single choice: ``accuracy`` over those where gold is known, ``coverage`` (a known value
      got a suggestion), and ``guesses``: a value suggested where gold is ``onbekend``;
    - multiple choice (``vorm``, ``pleger``): micro precision / recall / F1 over the values;
    - a number (``leeftijd``): ``exact`` and ``within_1`` over the known ages, coverage and
      guesses as above.
    """
    out: dict[str, dict[str, Any]] = {}
    if not any(sug.context for _, sug in pairs):
        return out  # suggestions without context values (the classifier alone)
    for var in cb.context.values():
        rows = [(conv, (conv.gold or {}).get("context", {}).get(var.id, MISSING_KEY), sug)
                for conv, sug in pairs]
        rows = [(c, g, s) for c, g, s in rows if g is not MISSING_KEY]
        if not rows:
            continue
        if var.multi:
            tp = fp = fn = 0
            for conv, g, sug in rows:
                gs = set(g or []) - {"onbekend"}
                ps = set(_value(sug, var.id) or []) - {"onbekend"}
                tp, fp, fn = tp + len(gs & ps), fp + len(ps - gs), fn + len(gs - ps)
                if gs != ps and errors is not None:
                    errors.append(_ctx_error(conv, sug, var.id, sorted(gs), sorted(ps)))
            out[var.id] = {"kind": "multi", "n": len(rows), **prf(tp, fp, fn)}
            continue
        unknown = None if var.number else "onbekend"
        known = [(c, g, s) for c, g, s in rows if g not in (None, unknown)]
        missing = [(c, g, s) for c, g, s in rows if g in (None, unknown)]

        def suggested(sug: Suggestion) -> bool:
            return _value(sug, var.id) not in (None, unknown)  # noqa: B023

        right = [c for c, g, s in known if _value(s, var.id) == g]
        m = {"kind": "number" if var.number else "single", "n": len(rows),
             "known": len(known), "correct": len(right),
             "accuracy": len(right) / len(known) if known else None,
             "coverage": (sum(suggested(s) for _, _, s in known) / len(known)
                          if known else None),
             "unknown": len(missing), "guesses": sum(suggested(s) for _, _, s in missing)}
        m["guess_rate"] = m["guesses"] / len(missing) if missing else None
        if var.number:
            near = [c for c, g, s in known if isinstance(_value(s, var.id), int)
                    and abs(_value(s, var.id) - g) <= 1]
            m["within_1"] = len(near) / len(known) if known else None
        out[var.id] = m
        if errors is not None:
            for conv, g, sug in rows:
                if _value(sug, var.id) != g and (g not in (None, unknown) or suggested(sug)):
                    errors.append(_ctx_error(conv, sug, var.id, g, _value(sug, var.id)))
    return out


MISSING_KEY = object()


def _ctx_error(conv: Conversation, sug: Suggestion, var: str, gold, pred) -> dict[str, Any]:
    got = (sug.context or {}).get(var)
    ev = got.get("evidence", []) if isinstance(got, dict) else []
    return {"id": conv.id, "code": f"context:{var}", "kind": f"gold {gold} / suggested {pred}",
            "evidence": [e.to_dict() if hasattr(e, "to_dict") else e for e in ev]}


_GOLD_CACHE: dict[int, dict[str, set[str]]] = {}


def gold_codes_by_id(pairs, cb: Codebook) -> dict[str, set[str]]:
    key = id(pairs)
    if key not in _GOLD_CACHE:
        _GOLD_CACHE.clear()
        _GOLD_CACHE[key] = {conv.id: gold_codes(conv, cb) for conv, _ in pairs}
    return _GOLD_CACHE[key]


def evaluate_engine(engine, convs: list[Conversation], sugs: list[Suggestion],
                    label: str = "") -> Evaluation:
    """``evaluate`` with the engine's pattern ids and what each pattern targets (a code, a fact
    or a context variable), for the per-pattern table."""
    ids = [p.id for p in engine.ps.patterns]
    targets = {p.id: (p.code or (f"fact:{p.fact}" if p.fact else p.target))
               for p in engine.ps.patterns}
    return evaluate(list(zip(convs, sugs, strict=True)), engine.codebook, ids, targets, label)
