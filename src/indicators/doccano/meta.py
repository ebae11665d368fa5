"""The example's metadata in doccano: what a coder reads in Dutch, and what pull needs back.

doccano shows every meta key in the metadata panel beside the text. The coder-facing keys are
Dutch and short: the machine's suggestion per code with its score, the context it suggests, the
platforms and the derived codes. Technical keys (``conversation_id``, ``push_state``,
``registratie``) carry what ``pull`` writes back; ``registratie`` is the helpline's registration
data (passed through, never shown as evidence, never a label). The machine's full suggestion
(ids, scores, evidence) stays in the local push record, not in the panel.
"""

from __future__ import annotations

from .labels import LabelScheme
from .suggestions import SuggestionRecord


def _score(x: float | None) -> str:
    return "" if x is None else f" ({x:.2f})"


def example_meta(s: SuggestionRecord, state: str, scheme: LabelScheme | None = None) -> dict:
    cb = scheme.codebook if scheme else None

    def code_label(c: str) -> str:
        return cb.codes[c].label if cb and c in cb.codes else c

    codes = "; ".join(f"{code_label(c)}{_score(s.scores.get(c))}" for c in s.codes)
    context = []
    for var_id, value in s.context.items():
        var = cb.context.get(var_id) if cb else None
        if var is None:
            shown = value
        elif var.number:
            shown = "onbekend" if value is None else str(value)
        else:
            labels = {v.id: v.label for v in var.values}
            vals = value if isinstance(value, list) else [value]
            shown = ", ".join(labels.get(v, v) for v in vals) or "Onbekend"
        context.append(f"{var.label if var else var_id}: {shown}"
                       f"{_score(s.context_scores.get(var_id))}")
    platforms = ", ".join(cb.platforms[p].label if cb and p in cb.platforms else p
                          for p in s.platforms)
    return {
        "conversation_id": s.id,
        "jaar": "" if s.year is None else str(s.year),
        "kanaal": s.channel or "",
        "voorstel codes": codes or "geen",
        "voorstel context": "; ".join(context) or "geen",
        "voorstel platforms": platforms or "geen",
        "afgeleid": ", ".join(code_label(c) for c in s.derived) or "geen",
        "push_state": state,
        "registratie": dict(s.meta),
    }
