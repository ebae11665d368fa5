"""Property tests for the transcript readers: any input, valid or broken, is either read or
reported, and nothing but InputError ever escapes.

Each format gets a round-trip property with an exact oracle (generated conversations come
back with the same speakers and texts, invalid ones are skipped with the expected reasons)
and a chaos property (random bytes and text) that checks the counting invariant:
conversations yielded + conversation-level skips == conversation records in the input.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.corpus import (
    REASONS,
    CsvOptions,
    InputError,
    ReadReport,
    read_conversations,
)

SENTINEL = "ZWAARDVISGEHEIM"
SKIP_REASONS = {
    "malformed_json",
    "not_object",
    "missing_field",
    "bad_field",
    "unknown_speaker",
    "no_speaker_label",
    "bad_year",
    "bad_row",
    "encoding",
    "empty_conversation",
    "duplicate_id",
}
FATAL_CSV = {"missing_column", "bad_header", "encoding"}
BOM = b"\xef\xbb\xbf"

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# (label as written, canonical speaker or None)
KNOWN = [
    ("bezoeker", "bezoeker"),
    ("visitor", "bezoeker"),
    ("b", "bezoeker"),
    ("hulpverlener", "hulpverlener"),
    ("counsellor", "hulpverlener"),
    ("counselor", "hulpverlener"),
    ("h", "hulpverlener"),
    ("hv", "hulpverlener"),
]
UNKNOWN = ["docent", "bezoekers", "x", "ouder", "moeder", "hulp"]


@st.composite
def speaker_label(draw, allow_unknown: bool = True) -> tuple[str, str | None]:
    """A speaker label in random case and padding, with the speaker it stands for."""
    known = st.sampled_from(KNOWN)
    unknown = st.sampled_from([(u, None) for u in UNKNOWN])
    # mostly known labels, so that conversations with several valid messages are common
    label, canon = draw(st.one_of(known, known, known, unknown) if allow_unknown else known)
    case = draw(st.sampled_from([str.lower, str.upper, str.title]))
    pad = st.sampled_from(["", " ", "  ", "\t"])
    return draw(pad) + case(label) + draw(pad), canon


texts = st.one_of(
    st.text(max_size=25),
    st.text(min_size=1, max_size=25).filter(str.strip),
    st.sampled_from(["", " ", "\t \u00a0"]),
    st.builds(lambda s: f"{s} {SENTINEL} {s}", st.text(max_size=15)),
)


@contextmanager
def tmpdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def run(paths, **kw):
    report = ReadReport()
    convs = list(read_conversations(paths, report=report, **kw))
    return convs, report


def check_report(convs, report: ReadReport, records: int | None) -> None:
    """What holds for every read, whatever the input."""
    assert report.read == len(convs)
    if records is not None:
        assert len(convs) + len(report.skipped_conversations) == records
    assert sorted(map(id, report.skipped)) == sorted(
        map(id, report.skipped_conversations + report.skipped_rows)
    )
    assert all(s.level == "conversation" for s in report.skipped_conversations)
    assert all(s.level == "row" for s in report.skipped_rows)
    for s in report.skipped:
        assert s.reason in SKIP_REASONS and s.reason in REASONS
        assert s.line is None or (isinstance(s.line, int) and s.line >= 1)
        assert s.detail and SENTINEL not in s.detail and SENTINEL not in str(s)
    ids = [c.id for c in convs]
    assert len(ids) == len(set(ids))
    for c in convs:
        assert c.id and c.id == c.id.strip()
        assert any(t.text.strip() for t in c.turns)
        assert all(t.speaker in ("bezoeker", "hulpverlener") for t in c.turns)
        assert c.year is None or 1900 <= c.year <= 2100
        assert c.source is not None


def check_strict_agrees(paths, report: ReadReport, convs, **kw) -> None:
    """strict=True raises at the first skip, with its reason and line, or reads the same."""
    try:
        strict_convs = list(read_conversations(paths, strict=True, **kw))
    except InputError as e:
        assert report.skipped, "strict mode raised although nothing was skipped"
        first = report.skipped[0]
        assert (e.reason, e.line, e.source) == (first.reason, first.line, first.source)
        assert SENTINEL not in str(e)
    else:
        assert not report.skipped
        assert [c.id for c in strict_convs] == [c.id for c in convs]


# --------------------------------------------------------------------------- JSON Lines


@st.composite
def json_record(draw):
    """A dev-corpus style record that may be invalid in known ways, and its verdict."""
    rid = draw(st.sampled_from(["A", "B", "C", " D ", "E", "", "  "]))
    turns, spoken = [], []
    for _ in range(draw(st.integers(0, 4))):
        label, canon = draw(speaker_label())
        text = draw(texts)
        turn = {"speaker": label, "text": text}
        if draw(st.booleans()):
            turn["timestamp"] = draw(st.sampled_from(["2024-01-01T10:00", "12:03"]))
        turns.append(turn)
        spoken.append((canon, text))
    obj: dict = {"id": rid, "turns": turns}
    year_ok = True
    if draw(st.booleans()):
        year = draw(st.one_of(st.integers(1850, 2150), st.just("2024"), st.none()))
        obj["year"] = year
        year_ok = year is None or (isinstance(year, int) and 1900 <= year <= 2100)
    if draw(st.booleans()):
        obj["gold"] = {"codes": ["inwonend"]}
    if draw(st.booleans()):
        obj["why"] = "note"
    valid = (
        bool(rid.strip())
        and all(canon is not None for canon, _ in spoken)
        and any(text.strip() for _, text in spoken)
        and year_ok
    )
    return obj, valid, [(canon, text) for canon, text in spoken]


@given(
    records=st.lists(json_record(), max_size=10),
    blanks=st.lists(st.sampled_from(["", " ", "\t", "\r"]), max_size=10),
    positions=st.lists(st.integers(0, 20), max_size=10),
    crlf=st.booleans(),
    bom=st.booleans(),
    ascii_only=st.booleans(),
)
@SETTINGS
def test_jsonl_round_trip_with_exact_oracle(records, blanks, positions, crlf, bom, ascii_only):
    lines = [json.dumps(obj, ensure_ascii=ascii_only) for obj, _, _ in records]
    record_lines: list[int] = []
    out: list[str] = []
    for i, line in enumerate(lines):
        for blank, pos in zip(blanks, positions, strict=False):
            if pos == i:
                out.append(blank)
        out.append(line)
        record_lines.append(len(out))
    data = ("\r\n" if crlf else "\n").join(out).encode("utf-8")
    expected, seen = [], set()
    for (obj, valid, spoken), lineno in zip(records, record_lines, strict=True):
        rid = obj["id"].strip()
        if valid and rid not in seen:
            seen.add(rid)
            expected.append((rid, lineno, spoken, obj.get("year"), obj.get("gold")))
    with tmpdir() as d:
        p = d / "in.jsonl"
        p.write_bytes((BOM if bom else b"") + data)
        convs, report = run(p)
        check_report(convs, report, records=len(records))
        got = [
            (c.id, c.line, [(t.speaker, t.text) for t in c.turns], c.year, c.gold) for c in convs
        ]
        assert got == expected
        assert report.skipped_rows == []
        assert [s.line for s in report.skipped] == [
            n for n in record_lines if n not in {c.line for c in convs}
        ]
        check_strict_agrees(p, report, convs)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "turns", "speaker", "text", "year", "gold", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
chaos_line = st.one_of(
    json_record().map(lambda r: json.dumps(r[0])),
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.sampled_from(["", "  ", "{", "[" * 3000, '{"id": 1e999, "turns": []}']),
)


def _blank(raw: bytes) -> bool:
    """The reader's rule: a line (split at LF only) is blank when it decodes to whitespace
    only (any Unicode whitespace); an undecodable line is a record (skipped as encoding)."""
    raw = raw.removeprefix(BOM)
    try:
        return not raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return not raw.strip()


def nonblank_lines(data: bytes) -> int:
    return sum(1 for raw in data.split(b"\n") if not _blank(raw))


@given(lines=st.lists(chaos_line, max_size=12), whole=st.binary(max_size=200))
@SETTINGS
def test_jsonl_chaos_counts_every_line(lines, whole):
    parts = [ln if isinstance(ln, bytes) else ln.encode("utf-8", "surrogatepass") for ln in lines]
    with tmpdir() as d:
        for name, data in (("mixed.jsonl", b"\n".join(parts)), ("bytes.jsonl", whole)):
            p = d / name
            p.write_bytes(data)
            convs, report = run(p)  # raises nothing
            check_report(convs, report, records=nonblank_lines(data))
            check_strict_agrees(p, report, convs)


# --------------------------------------------------------------------------- plain text

# a text file's lines end in LF, CRLF or a lone CR: none of them inside a line
line_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20
)


def is_speaker_line(line: str) -> bool:
    """The spec's rule: a line is a message line only when its label is a known label."""
    label, colon, _ = line.partition(":")
    return bool(colon) and label.strip().casefold() in {k for k, _ in KNOWN}


continuation = line_text.filter(lambda s: s.strip() and not is_speaker_line(s))


@st.composite
def txt_conversation(draw):
    """Text-file content and the turns and year it stands for."""
    lines: list[str] = []
    year = draw(st.one_of(st.none(), st.integers(1900, 2100)))
    if year is not None:
        lines.append(
            draw(st.sampled_from(["# year: {}", "#YEAR : {}", "  # year:{}.0"])).format(year)
        )
    if draw(st.booleans()):
        lines.append("# channel: chatmetfier")
    if draw(st.booleans()):
        lines.append("# opmerking zonder dubbelepunt")
    turns = []
    first_line = None
    for _ in range(draw(st.integers(0, 5))):
        label, canon = draw(speaker_label(allow_unknown=False))
        first = draw(line_text)
        more = draw(st.lists(continuation, max_size=3))
        if draw(st.booleans()):
            lines.append("")
        lines.append(f"{label}{draw(st.sampled_from([':', ' :', ': ']))}{first}")
        first_line = first_line or len(lines)
        for m in more:
            if draw(st.booleans()):
                lines.append(draw(st.sampled_from(["", "  "])))
            lines.append(m)
        parts = [s.strip() for s in [first, *more] if s.strip()]
        turns.append((canon, "\n".join(parts)))
    return lines, turns, year, first_line


@given(
    convs=st.lists(txt_conversation(), min_size=1, max_size=5),
    crlf=st.booleans(),
    bom=st.booleans(),
)
@SETTINGS
def test_txt_round_trip_with_exact_oracle(convs, crlf, bom):
    with tmpdir() as d:
        expected = []
        for i, (lines, turns, year, first_line) in enumerate(convs):
            content = ("\r\n" if crlf else "\n").join(lines).encode("utf-8")
            (d / f"gesprek-{i:02d}.txt").write_bytes((BOM if bom else b"") + content)
            if any(text for _, text in turns):
                expected.append((f"gesprek-{i:02d}", turns, year, first_line))
        got, report = run(d)
        check_report(got, report, records=len(convs))
        assert [
            (c.id, [(t.speaker, t.text) for t in c.turns], c.year, c.line) for c in got
        ] == expected
        assert {s.reason for s in report.skipped} <= {"empty_conversation"}
        check_strict_agrees(d, report, got)


@given(
    files=st.lists(
        st.one_of(
            st.binary(max_size=120),
            st.text(max_size=120).map(lambda s: s.encode("utf-8")),
            st.lists(
                st.one_of(line_text, st.sampled_from(["Docent: x", "B: hoi", "# year: x"]))
            ).map(lambda ls: "\n".join(ls).encode("utf-8")),
        ),
        min_size=1,
        max_size=6,
    )
)
@SETTINGS
def test_txt_chaos_one_record_per_file(files):
    with tmpdir() as d:
        for i, data in enumerate(files):
            (d / f"f{i}.txt").write_bytes(data)
        convs, report = run(d)
        check_report(convs, report, records=len(files))
        assert report.skipped_rows == []
        check_strict_agrees(d, report, convs)


# --------------------------------------------------------------------------- CSV

YEARS = [
    ("", True, None),
    ("2024", True, 2024),
    (" 2023.0 ", True, 2023),
    ("twintig", False, None),
    ("1850", False, None),
]


@st.composite
def csv_row(draw):
    rid = draw(st.sampled_from(["A", "A", "B", " A ", "", "  "]))
    label, canon = draw(st.one_of(speaker_label(), speaker_label(), st.just(("", None))))
    text = draw(texts)
    year, year_ok, year_val = draw(st.one_of(st.sampled_from(YEARS[:3]), st.sampled_from(YEARS)))
    return rid, label, canon, text, year, year_ok, year_val


@given(
    rows=st.lists(csv_row(), max_size=14),
    delimiter=st.sampled_from([",", ";", "\t"]),
    sniff=st.booleans(),
    order=st.permutations(["conversation_id", "speaker", "text", "year", "notitie"]),
    upper=st.booleans(),
    bom=st.booleans(),
)
@settings(SETTINGS, max_examples=300)
def test_csv_round_trip_with_exact_oracle(rows, delimiter, sniff, order, upper, bom):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow([c.upper() if upper else c for c in order])
    for rid, label, _, text, year, _, _ in rows:
        values = {"conversation_id": rid, "speaker": label, "text": text, "year": year}
        w.writerow([values.get(c, "") for c in order])
    # oracle, straight from the spec
    groups: dict[str, dict] = {}
    records = bad_rows = 0
    for rid, label, canon, text, year, year_ok, year_val in rows:
        if not any(v.strip() for v in (rid, label, text, year)):
            continue  # a blank row
        if not rid.strip():
            records += 1
            continue
        g = groups.setdefault(rid.strip(), {"turns": [], "year": None})
        if canon is None or not text.strip() or not year_ok:
            bad_rows += 1
            continue
        g["turns"].append((canon, text))
        if g["year"] is None:
            g["year"] = year_val
    records += len(groups)
    expected = [(k, g["turns"], g["year"]) for k, g in groups.items() if g["turns"]]
    opts = CsvOptions(delimiter=None if sniff else delimiter)
    with tmpdir() as d:
        p = d / "export.csv"
        p.write_bytes((BOM if bom else b"") + buf.getvalue().encode("utf-8"))
        convs, report = run(p, csv_options=opts)
        check_report(convs, report, records=records)
        assert len(report.skipped_rows) == bad_rows
        got = [(c.id, [(t.speaker, t.text) for t in c.turns], c.year) for c in convs]
        assert got == expected
        check_strict_agrees(p, report, convs, csv_options=opts)


def check_csv_consistent(convs, report: ReadReport) -> None:
    """Without an oracle: each conversation id is accounted for exactly once, and every
    row-level skip belongs to a conversation that was read or skipped."""
    check_report(convs, report, records=None)
    conv_skip_ids = [s.id for s in report.skipped_conversations if s.id is not None]
    accounted = [c.id for c in convs] + conv_skip_ids
    assert len(accounted) == len(set(accounted))
    assert {s.id for s in report.skipped_rows} <= set(accounted)
    assert all(s.id is not None for s in report.skipped_rows)


@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda s: s.encode("utf-8")),
        st.lists(
            st.lists(
                st.one_of(st.text(max_size=8), st.sampled_from(["A", "b", "hv", '"'])), max_size=5
            ).map(lambda fs: ";".join(fs)),
            max_size=8,
        ).map(lambda ls: "\n".join(ls).encode("utf-8")),
    ),
    header=st.sampled_from(
        [b"conversation_id;speaker;text\n", b"conversation_id,speaker,text,year\r\n", b""]
    ),
)
@SETTINGS
def test_csv_chaos_only_header_problems_are_fatal(body, header):
    with tmpdir() as d:
        p = d / "x.csv"
        p.write_bytes(header + body)
        try:
            convs, report = run(p)
        except InputError as e:
            assert e.reason in FATAL_CSV and e.source == str(p) and e.line is not None
            assert SENTINEL not in str(e)
            return
        check_csv_consistent(convs, report)
        check_strict_agrees(p, report, convs)
