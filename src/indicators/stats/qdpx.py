"""REFI-QDA export: a project (``.qdpx``) with the conversations and confirmed codes, and the
codebook on its own (``.qdc``).

Text of a conversation: one line per message, ``"<speaker>: <text>"``, lines joined by
``"\\n"`` (LF, no trailing newline), UTF-8 without BOM. Carriage returns and newlines inside
a message are replaced by one space each, so offsets inside a message are unchanged.
Positions (``startPosition``/``endPosition``) count Unicode code points from 0 in that text;
the end is exclusive.

Codings: a confirmed code with evidence spans (``gold_evidence``, ``evidence`` or
``review.machine.evidence``: ``{turn, start, end, code}``, offsets in the message text) is coded
on those spans; a confirmed code without a usable span (none given, or out of range), the
derived ``klant_bewust(_combinatie)`` and the meeting platforms are coded on a selection
spanning the whole conversation. Evidence for codes the coder did not confirm is ignored.
Code GUIDs are stable (UUID5 of the code id) so the ``.qdc`` and ``.qdpx`` agree.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from ..codebook import Codebook
from .load import StatRecord

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_NS = uuid.UUID("6f1c3a52-9b0e-4c1e-8d6a-2f4b7f0e9a11")
FAMILY_COLORS = {"sextortion": "#B22222", "inwonend": "#1F4E79", "ontmoeting": "#2E7D32",
                 "klant": "#6A1B9A"}
PLATFORM_PARENT = "ontmoeting_platform"


def guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))


def conversation_text(rec: StatRecord) -> tuple[str, list[int]]:
    """The document text and, per turn, the offset of its message text in the document."""
    parts, starts, pos = [], [], 0
    for t in rec.turns:
        prefix = f"{t['speaker']}: "
        msg = t["text"].replace("\r", " ").replace("\n", " ")
        starts.append(pos + len(prefix))
        parts.append(prefix + msg)
        pos += len(prefix) + len(msg) + 1
    return "\n".join(parts), starts


def spans(rec: StatRecord, cb: Codebook) -> tuple[str, dict[tuple[int, int], list[str]]]:
    """Document text and the selections: (start, end) -> code ids (and platform codes)."""
    text, starts = conversation_text(rec)
    sel: dict[tuple[int, int], list[str]] = {}
    evidenced: set[str] = set()
    for ev in rec.evidence:
        c, turn, s, e = ev.get("code"), ev.get("turn"), ev.get("start"), ev.get("end")
        if c not in rec.codes or not all(isinstance(x, int) for x in (turn, s, e)):
            continue
        if not (0 <= turn < len(rec.turns) and 0 <= s < e <= len(rec.turns[turn]["text"])):
            continue
        span = (starts[turn] + s, starts[turn] + e)
        if c not in sel.setdefault(span, []):
            sel[span].append(c)
            evidenced.add(c)
    whole = [c for c in cb.codes if c in rec.codes and c not in evidenced]
    whole += [f"platform_{p}" for p in rec.platforms]
    if whole:
        sel.setdefault((0, len(text)), []).extend(whole)
    return text, sel


def _code_el(parent: ET.Element, gid: str, name: str, codable: bool, desc: str,
             color: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, "Code", guid=gid, name=name, isCodable=str(codable).lower())
    if color:
        el.set("color", color)
    ET.SubElement(el, "Description").text = desc
    return el


def _codes(parent: ET.Element, cb: Codebook) -> None:
    codes = ET.SubElement(parent, "Codes")
    for fam in cb.families.values():
        color = FAMILY_COLORS.get(fam.id)
        fel = _code_el(codes, guid("family", fam.id), fam.label, False,
                       f"Familie {fam.id}: {fam.gloss}", color)
        for c in cb.codes.values():
            if c.family == fam.id:
                desc = f"{c.label}. {c.definition}"
                _code_el(fel, guid("code", c.id), c.id, True, desc, color)
    pel = _code_el(codes, guid("family", PLATFORM_PARENT), "Ontmoetingsplatform", False,
                   "Platform waar slachtoffer en pleger elkaar ontmoetten")
    for p in cb.platforms.values():
        desc = f"{p.label} ({cb.platform_types[p.type]})"
        _code_el(pel, guid("code", f"platform_{p.id}"), f"platform_{p.id}", True, desc)


def project_xml(records: Sequence[StatRecord], cb: Codebook,
                units: Sequence | None = None) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` bytes and the source files (name inside ``sources/`` -> text).

    With ``units`` (unique visitors per year), each visitor is a ``Case`` that refers to
    their conversations."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    tool_user = guid("user", "indicators")
    root = ET.Element("Project", {"name": f"{cb.name}: bevestigde codes", "origin": "indicators",
                                  "creatingUserGUID": tool_user, "creationDateTime": now,
                                  "xmlns": PROJECT_NS})
    users = ET.SubElement(root, "Users")
    coders = sorted({r.coder for r in records if r.coder})
    ET.SubElement(users, "User", guid=tool_user, name="indicators")
    for name in coders:
        ET.SubElement(users, "User", guid=guid("user", name), name=name)
    _codes(ET.SubElement(root, "CodeBook"), cb)
    variables = ET.SubElement(root, "Variables")
    var_defs = [("year", "Integer", "Jaar"), ("channel", "Text", "Kanaal"),
                ("bezoeker_id", "Text", "Bezoeker-id (registratie)"),
                ("startdatum", "Text", "Startdatum (registratie)"),
                ("geslacht", "Text", "Geslacht (registratie)"),
                ("leeftijd_registratie", "Text", "Leeftijd (registratie)"),
                ("in_onderzoek", "Text", "In onderzoek")]
    var_defs += [(v.id, "Text", v.label) for v in cb.context.values()]
    for vid, typ, label in var_defs:
        el = ET.SubElement(variables, "Variable", guid=guid("variable", vid), name=vid,
                           typeOfVariable=typ)
        ET.SubElement(el, "Description").text = label
    if units:
        cases = ET.SubElement(root, "Cases")
        for u in units:
            case = ET.SubElement(cases, "Case", guid=guid("case", u.key),
                                 name=f"Bezoeker {u.key}")
            ET.SubElement(case, "Description").text = (
                f"Unieke bezoeker in {u.year}: {u.n_gesprekken} gesprek(ken), "
                f"gekoppeld via {u.how}")
            for rec in u.records:
                ET.SubElement(case, "SourceRef", targetGUID=guid("source", rec.id))
    sources = ET.SubElement(root, "Sources")
    files: dict[str, str] = {}
    for rec in sorted(records, key=lambda r: (r.year, r.id)):
        text, sel = spans(rec, cb)
        sid = guid("source", rec.id)
        files[f"{sid}.txt"] = text
        user = guid("user", rec.coder) if rec.coder else tool_user
        src = ET.SubElement(sources, "TextSource", guid=sid, name=rec.id,
                            plainTextPath=f"internal://{sid}.txt", creatingUser=user,
                            creationDateTime=now)
        for (s, e), codes in sorted(sel.items()):
            pts = ET.SubElement(src, "PlainTextSelection", guid=guid("sel", f"{rec.id}:{s}:{e}"),
                                name=f"{rec.id} [{s}:{e}]", startPosition=str(s),
                                endPosition=str(e), creatingUser=user, creationDateTime=now)
            for c in codes:
                coding = ET.SubElement(pts, "Coding", guid=guid("coding", f"{rec.id}:{s}:{e}:{c}"),
                                       creatingUser=user, creationDateTime=now)
                ET.SubElement(coding, "CodeRef", targetGUID=guid("code", c))
        for vid, typ, _ in var_defs:
            value = {"year": rec.year, "channel": rec.channel, "bezoeker_id": rec.bezoeker_id,
                     "startdatum": rec.startdatum.isoformat() if rec.startdatum else None,
                     "geslacht": rec.geslacht, "leeftijd_registratie": rec.reg_leeftijd,
                     "in_onderzoek": rec.in_onderzoek}.get(vid, rec.context.get(vid))
            if isinstance(value, tuple):
                value = ", ".join(value) or "onbekend"
            vv = ET.SubElement(src, "VariableValue")
            ET.SubElement(vv, "VariableRef", targetGUID=guid("variable", vid))
            ET.SubElement(vv, "IntegerValue" if typ == "Integer" else "TextValue").text = \
                str(value if value is not None else "onbekend")
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data, files


def write_qdpx(records: Sequence[StatRecord], cb: Codebook, path: str | Path,
               units: Sequence | None = None) -> Path:
    path = Path(path)
    data, files = project_xml(records, cb, units)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", data)
        for name, text in files.items():
            zf.writestr(f"sources/{name}", text.encode("utf-8"))
    return path


def codebook_xml(cb: Codebook) -> bytes:
    root = ET.Element("CodeBook", {"origin": f"indicators codeboek {cb.version}",
                                   "xmlns": CODEBOOK_NS})
    _codes(root, cb)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qdc(cb: Codebook, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(codebook_xml(cb))
    return path
