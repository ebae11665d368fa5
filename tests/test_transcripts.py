"""Example-based tests for the transcript input layer (indicators.corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEV_CORPUS  # noqa: E402
from indicators.corpus import (
    CsvOptions,
    InputError,
    ReadReport,
    Skip,
    detect_format,
    normalize_speaker,
    read_conversations,
)

DEV = DEV_CORPUS
DATA = Path(__file__).parent / "data" / "readers"
SENTINEL = "ZWAARDVISGEHEIM"  # stands for conversation text that must never be echoed


def read(paths, fmt="auto", **kw):
    report = ReadReport()
    convs = list(read_conversations(paths, fmt, report=report, **kw))
    return convs, report


def rec(conv_id="C1", turns=None, **extra) -> str:
    if turns is None:
        turns = [
            {"speaker": "bezoeker", "text": f"hoi {SENTINEL}"},
            {"speaker": "hulpverlener", "text": "Welkom"},
        ]
    return json.dumps({"id": conv_id, "turns": turns, **extra})


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def assert_no_text(report: ReadReport, *errors: BaseException) -> None:
    for s in report.skipped:
        assert SENTINEL not in s.detail
        assert SENTINEL not in str(s)
    for e in errors:
        assert SENTINEL not in str(e)


# --------------------------------------------------------------------------- dev corpus


def test_dev_corpus_reads_every_line_with_gold():
    files = sorted(DEV.glob("part*.jsonl"))
    n = sum(1 for f in files for line in f.read_text(encoding="utf-8").splitlines() if line)
    assert n >= 150  # five parts of 30 (codebook v2)
    convs, report = read(DEV)
    assert len(convs) == n
    assert report.read == n
    assert report.skipped == []
    assert len({c.id for c in convs}) == n
    assert all(c.gold is not None and "codes" in c.gold for c in convs)
    assert all(c.year is not None and c.channel for c in convs)
    assert all(t.speaker in ("bezoeker", "hulpverlener") for c in convs for t in c.turns)
    assert report.files == [str(f) for f in files]
    first = convs[0]
    assert (first.id, first.source, first.line) == ("DA-001", str(DEV / "part1.jsonl"), 1)
    assert convs[29].line == 30
    assert f"read {n} conversations from {len(files)} files; nothing skipped" in report.summary()


def test_dev_corpus_without_gold():
    convs, report = read(DEV / "part2.jsonl", with_gold=False)
    assert len(convs) == 30 and report.skipped == []
    assert all(c.gold is None and c.review is None for c in convs)


def test_dev_corpus_round_trips_through_to_record():
    convs, _ = read(DEV / "part1.jsonl")
    with (DEV / "part1.jsonl").open(encoding="utf-8") as f:
        for conv, line in zip(convs, f, strict=True):
            original = json.loads(line)
            original.pop("why", None)
            assert conv.to_record() == original


# --------------------------------------------------------------------------- JSONL


def test_jsonl_fields_speakers_timestamps_review(tmp_path):
    turns = [
        {"speaker": "Bezoeker", "text": "hoi", "timestamp": "2024-01-01T10:00"},
        {"speaker": " HULPVERLENER ", "text": "Welkom", "timestamp": 1700000000},
        {"speaker": "visitor", "text": "ja"},
        {"speaker": "hv", "text": "Oké"},
    ]
    review = {"coder": "c1", "status": "confirmed"}
    p = write(
        tmp_path / "a.jsonl",
        rec("X-1", turns, year=2023, channel=" chatmetfier ", review=review, why="x") + "\n",
    )
    (conv,), report = read(p)
    assert [t.speaker for t in conv.turns] == ["bezoeker", "hulpverlener"] * 2
    assert [t.timestamp for t in conv.turns] == ["2024-01-01T10:00", "1700000000", None, None]
    assert (conv.year, conv.channel, conv.review, conv.gold) == (2023, "chatmetfier", review, None)
    assert report.read == 1 and report.skipped == []
    (conv,), _ = read(p, with_gold=False)
    assert conv.review is None


def test_jsonl_blank_lines_are_ignored_and_line_numbers_kept(tmp_path):
    p = write(tmp_path / "a.jsonl", "\n" + rec("A") + "\n   \n\t\r\n" + rec("B") + "\n\n")
    convs, report = read(p)
    assert [(c.id, c.line) for c in convs] == [("A", 2), ("B", 5)]
    assert report.skipped == []


def test_jsonl_bom_and_crlf(tmp_path):
    p = write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + (rec("A") + "\r\n" + rec("B")).encode())
    convs, report = read(p)
    assert [c.id for c in convs] == ["A", "B"] and report.skipped == []


def test_jsonl_integer_id_becomes_string(tmp_path):
    (conv,), _ = read(write(tmp_path / "a.jsonl", rec(17)))
    assert conv.id == "17"


BAD_JSONL = [
    ("malformed_json", '{"id": "C9", "turns": [{"speaker": "bezoeker", "text": "' + SENTINEL),
    ("malformed_json", '{"id": "C9", "turns": [], "x": "' + SENTINEL + "\t" + '"}'),
    ("malformed_json", "[" * 100_000),
    ("malformed_json", '{"id": "C9", "year": ' + "9" * 5000 + "}"),
    ("malformed_json", '{"id": "C9", "turns": [], "text": "\\q' + SENTINEL + '"}'),
    ("not_object", json.dumps([SENTINEL])),
    ("not_object", json.dumps(SENTINEL)),
    ("not_object", "42"),
    ("missing_field", json.dumps({"turns": [{"speaker": "bezoeker", "text": SENTINEL}]})),
    ("missing_field", rec("  ")),
    ("bad_field", rec(["C9"])),
    ("bad_field", rec(True)),
    ("missing_field", json.dumps({"id": "C9", "text": SENTINEL})),
    ("bad_field", json.dumps({"id": "C9", "turns": SENTINEL})),
    ("bad_field", rec("C9", [SENTINEL])),
    ("missing_field", rec("C9", [{"text": SENTINEL}])),
    ("missing_field", rec("C9", [{"speaker": "bezoeker", "tekst": SENTINEL}])),
    ("bad_field", rec("C9", [{"speaker": ["bezoeker"], "text": SENTINEL}])),
    ("bad_field", rec("C9", [{"speaker": "bezoeker", "text": [SENTINEL]}])),
    ("bad_field", rec("C9", [{"speaker": "bezoeker", "text": SENTINEL, "timestamp": {}}])),
    ("unknown_speaker", rec("C9", [{"speaker": "docent", "text": SENTINEL}])),
    ("unknown_speaker", rec("C9", [{"speaker": f"ik zei {SENTINEL}", "text": "x"}])),
    ("unknown_speaker", rec("C9", [{"speaker": SENTINEL * 3, "text": "x"}])),
    ("empty_conversation", rec("C9", [])),
    ("empty_conversation", rec("C9", [{"speaker": "bezoeker", "text": "  "}])),
    ("bad_year", rec("C9", year="2024")),
    ("bad_year", rec("C9", year=2024.5)),
    ("bad_year", rec("C9", year=True)),
    ("bad_year", rec("C9", year=24)),
    ("bad_year", rec("C9", year=SENTINEL)),
    ("bad_year", rec("C9")[:-1] + ', "year": NaN}'),
    ("bad_field", rec("C9", channel=7)),
    ("bad_field", rec("C9", gold=[SENTINEL])),
    ("bad_field", rec("C9", review=SENTINEL)),
    ("encoding", rec("C9", [{"speaker": "bezoeker", "text": SENTINEL + "\ud800"}])),
    ("encoding", rec("C9\udc00")),
]


@pytest.mark.parametrize(
    "reason,line", BAD_JSONL, ids=[f"{r}-{i}" for i, (r, _) in enumerate(BAD_JSONL)]
)
def test_jsonl_bad_line_is_skipped_with_reason_and_line(tmp_path, reason, line):
    p = write(tmp_path / "in.jsonl", rec("A") + "\n\n" + line + "\n" + rec("B") + "\n")
    convs, report = read(p)
    assert [c.id for c in convs] == ["A", "B"]
    assert report.read == 2
    (skip,) = report.skipped
    assert skip == report.skipped_conversations[0] and report.skipped_rows == []
    assert (skip.reason, skip.source, skip.line, skip.level) == (reason, str(p), 3, "conversation")
    if line.startswith('{"id": "C9"') and reason != "malformed_json":
        assert skip.id == "C9"
    assert_no_text(report)
    # strict mode raises at that line with the same reason, again without the text
    with pytest.raises(InputError) as exc:
        list(read_conversations(p, strict=True))
    assert (exc.value.reason, exc.value.line, exc.value.source) == (reason, 3, str(p))
    assert str(exc.value).startswith((f"{p}:3: ", f"{p}:3 ('C9"))
    assert_no_text(report, exc.value)


def test_jsonl_unknown_speaker_shows_a_short_label_only(tmp_path):
    p = write(tmp_path / "a.jsonl", rec("C9", [{"speaker": "docent", "text": SENTINEL}]))
    _, report = read(p)
    assert "'docent'" in report.skipped[0].detail
    p = write(tmp_path / "b.jsonl", rec("C9", [{"speaker": "ik zei dit", "text": "x"}]))
    _, report = read(p)
    assert "ik zei" not in report.skipped[0].detail
    assert "not shown" in report.skipped[0].detail


def test_jsonl_invalid_utf8_is_skipped_with_line_and_offset(tmp_path):
    good = rec("A").encode()
    bad = (b'{"id": "C9", "turns": [{"speaker": "bezoeker", "text": "caf') + b'\xe9"}]}'
    p = write(tmp_path / "a.jsonl", good + b"\n" + bad + b"\n" + rec("B").encode())
    convs, report = read(p)
    assert [c.id for c in convs] == ["A", "B"]
    (skip,) = report.skipped
    assert (skip.reason, skip.line) == ("encoding", 2)
    offset = len(good) + 1 + bad.index(b"\xe9")
    assert f"byte offset {offset}" in skip.detail
    # cp1252 only when asked for
    convs, report = read(p, encoding="cp1252")
    assert [c.id for c in convs] == ["A", "C9", "B"] and report.skipped == []
    assert convs[1].turns[0].text == "café"


def test_jsonl_stream_is_lazy(tmp_path):
    p = write(tmp_path / "a.jsonl", rec("A") + "\n{broken\n")
    report = ReadReport()
    it = read_conversations(p, report=report)
    assert next(it).id == "A"
    assert report.read == 1 and report.skipped == []
    assert list(it) == [] and report.skipped[0].reason == "malformed_json"


# --------------------------------------------------------------------------- duplicates


def test_duplicate_ids_within_and_across_files(tmp_path):
    a = write(tmp_path / "a.jsonl", rec("A") + "\n" + rec("B") + "\n" + rec("A") + "\n")
    b = write(tmp_path / "b.jsonl", rec("C") + "\n" + rec("B") + "\n")
    convs, report = read([a, b])
    assert [c.id for c in convs] == ["A", "B", "C"]
    assert [(s.reason, s.id, s.source, s.line) for s in report.skipped] == [
        ("duplicate_id", "A", str(a), 3),
        ("duplicate_id", "B", str(b), 2),
    ]
    detail = report.skipped[1].detail
    assert f"{b}:2" in detail and f"{a}:2" in detail
    assert report.counts_by_reason() == {"duplicate_id": 2}


def test_skipped_record_does_not_claim_its_id(tmp_path):
    p = write(tmp_path / "a.jsonl", rec("A", []) + "\n" + rec("A") + "\n")
    convs, report = read(p)
    assert [(c.id, c.line) for c in convs] == [("A", 2)]
    assert [s.reason for s in report.skipped] == ["empty_conversation"]


def test_duplicate_ids_across_formats(tmp_path):
    j = write(tmp_path / "a.jsonl", rec("X"))
    t = write(tmp_path / "X.txt", "Bezoeker: hoi\n")
    c = write(tmp_path / "c.csv", "conversation_id,speaker,text\nX,bezoeker,hoi\nY,bezoeker,hoi\n")
    convs, report = read([j, t, c])
    assert [c_.id for c_ in convs] == ["X", "Y"]
    assert [(s.reason, s.source) for s in report.skipped] == [
        ("duplicate_id", str(t)),
        ("duplicate_id", str(c)),
    ]


# --------------------------------------------------------------------------- txt


def test_txt_directory_fixture():
    convs, report = read(DATA / "txt")
    assert [c.id for c in convs] == ["gesprek-01", "gesprek-02"]
    assert report.ignored_files == [str(DATA / "txt" / "LEESMIJ.md")]
    assert report.skipped == []
    one, two = convs
    assert (one.year, one.channel, one.meta) == (
        2024,
        "chatmetfier",
        {"headers": {"bron": "export-maart"}},
    )
    assert one.line == 5 and one.source == str(DATA / "txt" / "gesprek-01.txt")
    assert [(t.speaker, t.text) for t in one.turns] == [
        ("bezoeker", "hoi\nik weet nie of ik hier goed ben"),
        ("hulpverlener", "Hoi, welkom bij de chat.\nWaar wil je het over hebben?"),
        ("bezoeker", "over mn vriend\nps: hij is ouder"),
        ("hulpverlener", "Hoe oud ben je?"),
        ("bezoeker", "15"),
        ("hulpverlener", "Dank je."),
    ]
    # CRLF; an unknown label inside the conversation is continuation text
    assert (two.year, two.channel, two.line) == (None, None, 1)
    assert [(t.speaker, t.text) for t in two.turns] == [
        ("bezoeker", "hallo"),
        ("hulpverlener", "Hoi, waar wil je over praten?"),
        ("bezoeker", "mn dochter\nDocent: zei dat ze niet meer op school komt"),
    ]
    assert "1 other file in input directories ignored" in report.summary()


def test_txt_single_file_and_format_detection():
    assert detect_format(DATA / "txt") == "txt"
    assert detect_format(DATA / "txt" / "gesprek-02.txt") == "txt"
    convs, _ = read(DATA / "txt" / "gesprek-02.txt")
    assert [c.id for c in convs] == ["gesprek-02"]


@pytest.mark.parametrize(
    "content,reason,line,shown",
    [
        (
            f"\n# year: 2024\n\nDocent: {SENTINEL}\nBezoeker: hoi\n",
            "unknown_speaker",
            4,
            "'Docent'",
        ),
        (f"  ouder :{SENTINEL}\n", "unknown_speaker", 1, "'ouder'"),
        (f"{SENTINEL} hoi\nBezoeker: hoi\n", "no_speaker_label", 1, None),
        (f"12:30 {SENTINEL}\n", "no_speaker_label", 1, None),
        (f"ik zei: {SENTINEL}\n", "no_speaker_label", 1, None),
        ("# year: 2024\n# channel: x\n\n", "empty_conversation", None, None),
        ("", "empty_conversation", None, None),
        ("Bezoeker:\nHulpverlener:   \n", "empty_conversation", 1, None),
        (f"# year: twintig\nBezoeker: {SENTINEL}\n", "bad_year", 1, None),
        (f"# year: 1850\nBezoeker: {SENTINEL}\n", "bad_year", 1, None),
    ],
)
def test_txt_bad_file_is_skipped(tmp_path, content, reason, line, shown):
    write(tmp_path / "goed.txt", "Bezoeker: hoi\n")
    bad = write(tmp_path / "slecht.txt", content)
    convs, report = read(tmp_path)
    assert [c.id for c in convs] == ["goed"]
    (skip,) = report.skipped_conversations
    assert (skip.reason, skip.line, skip.id, skip.source) == (reason, line, "slecht", str(bad))
    if shown:
        assert shown in skip.detail
    assert_no_text(report)
    with pytest.raises(InputError) as exc:
        list(read_conversations(bad, strict=True))
    assert exc.value.reason == reason
    assert_no_text(report, exc.value)


def test_txt_year_header_int_like_and_comments(tmp_path):
    p = write(
        tmp_path / "a.txt",
        "# year : 2023.0\n# een opmerking\n#CHANNEL:web\nHV: hoi\n# geen header\n",
    )
    (conv,), _ = read(p)
    assert (conv.year, conv.channel, conv.meta) == (2023, "web", {})
    assert [(t.speaker, t.text) for t in conv.turns] == [("hulpverlener", "hoi\n# geen header")]


def test_txt_encoding_error_names_line_and_offset(tmp_path):
    data = b"Bezoeker: hoi\nHulpverlener: welkom\nBezoeker: caf" + b"\xe9\n"
    p = write(tmp_path / "a.txt", data)
    convs, report = read(p)
    assert convs == []
    (skip,) = report.skipped
    assert (skip.reason, skip.line, skip.id) == ("encoding", 3, "a")
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in skip.detail
    (conv,), report = read(p, encoding="cp1252")
    assert conv.turns[-1].text == "café" and report.skipped == []


def test_txt_bom_offset_counts_the_bom(tmp_path):
    data = b"\xef\xbb\xbfBezoeker: \xff\n"
    _, report = read(write(tmp_path / "a.txt", data))
    assert "byte offset 13" in report.skipped[0].detail


def test_txt_explicit_format_for_other_suffix(tmp_path):
    p = write(tmp_path / "chat.log", "b: hoi\n")
    with pytest.raises(InputError) as exc:
        read_conversations(p)
    assert exc.value.reason == "unknown_format" and str(p) in str(exc.value)
    (conv,), _ = read(p, "txt")
    assert conv.id == "chat" and conv.turns[0].text == "hoi"


def test_speaker_aliases():
    for label in ("bezoeker", "Bezoeker", "VISITOR", "b", " B "):
        assert normalize_speaker(label) == "bezoeker"
    for label in ("hulpverlener", "Counsellor", "counselor", "h", "HV"):
        assert normalize_speaker(label) == "hulpverlener"
    for label in ("docent", "ps", "", "bezoekers"):
        assert normalize_speaker(label) is None


# --------------------------------------------------------------------------- CSV


def test_csv_semicolon_fixture_custom_columns_noncontiguous():
    opts = CsvOptions(
        id_col="gesprek id",
        speaker_col="Rol",
        text_col="bericht",
        timestamp_col="tijd",
        year_col="jaar",
        channel_col="kanaal",
    )
    path = DATA / "export_semicolon.csv"
    assert detect_format(path) == "csv"
    convs, report = read(path, csv_options=opts)
    assert report.skipped == []
    assert [(c.id, c.line, c.year, c.channel) for c in convs] == [
        ("C-2", 2, 2024, "chatmetfier"),
        ("C-1", 3, 2024, "chatmetfier"),
    ]
    c2 = convs[0]
    assert [(t.speaker, t.text, t.timestamp) for t in c2.turns] == [
        ("bezoeker", "hoi", "2024-01-05 10:00"),
        ("hulpverlener", "Hoi, welkom.\nWaar wil je over praten?", "2024-01-05 10:01"),
        ("bezoeker", "over mn vriend", "2024-01-05 10:03"),
    ]
    assert [t.text for t in convs[1].turns] == ["hallo daar", "Welkom"]


def test_csv_default_columns_comma_quotes_and_optional_columns(tmp_path):
    p = write(
        tmp_path / "a.csv",
        '\ufeffConversation_ID , Speaker,Text\nA,Bezoeker,"hoi, ""jij"""\nA,HV,welkom\n',
    )
    (conv,), report = read(p)
    assert report.skipped == []
    assert (conv.id, conv.year, conv.channel, conv.line) == ("A", None, None, 2)
    assert [(t.speaker, t.text, t.timestamp) for t in conv.turns] == [
        ("bezoeker", 'hoi, "jij"', None),
        ("hulpverlener", "welkom", None),
    ]


def test_csv_tab_sniffing_and_explicit_delimiter(tmp_path):
    p = write(tmp_path / "a.tsv", "conversation_id\tspeaker\ttext\nA\tbezoeker\thoi; ja, nee\n")
    (conv,), _ = read(p)
    assert conv.turns[0].text == "hoi; ja, nee"
    p = write(tmp_path / "b.csv", "conversation_id|speaker|text\nA|bezoeker|hoi\n")
    (conv,), _ = read(p, csv_options=CsvOptions(delimiter="|"))
    assert conv.turns[0].text == "hoi"


def test_csv_bad_rows_are_skipped_and_conversation_keeps_the_rest(tmp_path):
    lines = [
        "conversation_id;speaker;text;year",
        "A;bezoeker;hoi;2024",  # 2
        f"A;docent;{SENTINEL};2024",  # 3 unknown speaker
        f"A;;{SENTINEL};2024",  # 4 empty speaker
        "A;hulpverlener;   ;2024",  # 5 empty text
        f"A;bezoeker;{SENTINEL};2024;extra",  # 6 too many fields
        f"A;bezoeker;{SENTINEL}",  # 7 too few fields
        f"A;bezoeker;{SENTINEL};twintig",  # 8 bad year
        f";bezoeker;{SENTINEL};2024",  # 9 no id: a conversation-level record
        "A;hulpverlener;welkom;2024.0",  # 10
        f"B;docent;{SENTINEL};2024",  # 11 B has no usable row
        ";;;",  # blank row: ignored
    ]
    p = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    convs, report = read(p)
    assert [(c.id, [t.text for t in c.turns], c.year) for c in convs] == [
        ("A", ["hoi", "welkom"], 2024)
    ]
    assert [(s.reason, s.line, s.id) for s in report.skipped_rows] == [
        ("unknown_speaker", 3, "A"),
        ("bad_row", 4, "A"),
        ("bad_row", 5, "A"),
        ("bad_row", 6, "A"),
        ("bad_row", 7, "A"),
        ("bad_year", 8, "A"),
        ("unknown_speaker", 11, "B"),
    ]
    assert all(s.level == "row" for s in report.skipped_rows)
    assert [(s.reason, s.line, s.id) for s in report.skipped_conversations] == [
        ("bad_row", 9, None),
        ("empty_conversation", 11, "B"),
    ]
    assert "'docent'" in report.skipped_rows[0].detail
    assert "all 1 row of this conversation were skipped" in report.skipped_conversations[1].detail
    # invariant: distinct ids (A, B) + rows without id (1) == read + skipped conversations
    assert report.read + len(report.skipped_conversations) == 3
    assert_no_text(report)
    summary = report.summary()
    assert "skipped 2 conversations" in summary and "7 rows" in summary
    with pytest.raises(InputError) as exc:
        list(read_conversations(p, strict=True))
    assert (exc.value.reason, exc.value.line) == ("unknown_speaker", 3)
    assert_no_text(report, exc.value)


def test_csv_line_numbers_are_physical_lines(tmp_path):
    p = write(
        tmp_path / "a.csv",
        'conversation_id,speaker,text\nA,bezoeker,"een\n\ntwee"\nB,bezoeker,"drie\nvier"\nC,x,y\n',
    )
    convs, report = read(p)
    assert [(c.id, c.line) for c in convs] == [("A", 2), ("B", 5)]
    assert convs[0].turns[0].text == "een\n\ntwee"
    assert report.skipped_rows[0].line == 7


def test_csv_missing_column_is_fatal_and_does_not_echo_data(tmp_path):
    p = write(tmp_path / "a.csv", "id,speaker,text\nA,bezoeker,hoi\n")
    with pytest.raises(InputError) as exc:
        list(read_conversations(p))
    e = exc.value
    assert (e.reason, e.source, e.line) == ("missing_column", str(p), 1)
    assert "'conversation_id'" in str(e) and str(p) in str(e) and "'id'" in str(e)
    # a file without a header row: its first row is conversation text and is not shown
    p = write(tmp_path / "b.csv", f"A,bezoeker,hoi {SENTINEL} daar\nA,hulpverlener,welkom\n")
    with pytest.raises(InputError) as exc:
        list(read_conversations(p))
    assert exc.value.reason == "missing_column"
    assert SENTINEL not in str(exc.value) and "not shown" in str(exc.value)


def test_csv_duplicate_header_column_is_fatal(tmp_path):
    p = write(tmp_path / "a.csv", "conversation_id,speaker,text,Text\nA,bezoeker,hoi,x\n")
    with pytest.raises(InputError) as exc:
        list(read_conversations(p))
    assert exc.value.reason == "bad_header" and "'text'" in str(exc.value)


def test_csv_undecodable_bytes(tmp_path):
    data = (
        b"conversation_id,speaker,text\n"
        b"A,bezoeker,hoi\n"
        b"A,hulpverlener,caf\xe9\n"  # row-level
        b"B\xff,bezoeker,hoi\n"  # no usable id
    )
    p = write(tmp_path / "a.csv", data)
    convs, report = read(p)
    assert [(c.id, len(c.turns)) for c in convs] == [("A", 1)]
    assert [(s.reason, s.line, s.level) for s in report.skipped] == [
        ("encoding", 3, "row"),
        ("encoding", 4, "conversation"),
    ]
    assert "'text'" in report.skipped[0].detail
    convs, report = read(p, encoding="cp1252")
    assert [c.id for c in convs] == ["A", "Bÿ"] and report.skipped == []
    assert convs[0].turns[1].text == "café"
    p = write(tmp_path / "b.csv", b"conversation_id,spr\xe9ker,text\nA,bezoeker,hoi\n")
    with pytest.raises(InputError) as exc:
        list(read_conversations(p))
    assert (exc.value.reason, exc.value.line) == ("encoding", 1)


def test_csv_long_field_is_read_whole(tmp_path):
    big = "x" * 200_000
    p = write(
        tmp_path / "a.csv", f"conversation_id,speaker,text\nA,bezoeker,{big}\nB,bezoeker,hoi\n"
    )
    convs, report = read(p)
    assert [c.id for c in convs] == ["A", "B"] and not report.skipped
    assert len(convs[0].turns[0].text) == 200_000


def test_csv_parse_error_is_a_skip(tmp_path, monkeypatch):
    import csv

    from indicators.corpus import csv_reader

    old = csv.field_size_limit(1000)
    monkeypatch.setattr(csv_reader, "_FIELD_LIMIT", 1000)
    try:
        big = "x" * 2000
        p = write(tmp_path / "a.csv",
                  f"conversation_id,speaker,text\nA,bezoeker,{big}\nB,bezoeker,hoi\n")
        convs, report = read(p)
    finally:
        csv.field_size_limit(old)
    assert [c.id for c in convs] == ["B"]
    (skip,) = report.skipped_conversations
    assert (skip.reason, skip.line) == ("bad_row", 2)
    assert "x" * 50 not in skip.detail


def test_csv_empty_file_yields_nothing(tmp_path):
    convs, report = read(write(tmp_path / "a.csv", "\n\n"))
    assert convs == [] and report.skipped == [] and report.files == [str(tmp_path / "a.csv")]
    convs, report = read(write(tmp_path / "b.csv", "conversation_id,speaker,text\n"))
    assert convs == [] and report.skipped == []


def test_csv_year_and_channel_from_first_row_that_has_them(tmp_path):
    p = write(
        tmp_path / "a.csv",
        "conversation_id,speaker,text,year,channel\nA,b,hoi,,\nA,h,ja,2023,web\nA,b,nee,2024,app\n",
    )
    (conv,), _ = read(p)
    assert (conv.year, conv.channel) == (2023, "web")


# --------------------------------------------------------------------------- paths and options


def test_detect_format_and_path_errors(tmp_path):
    assert detect_format(DEV) == "jsonl"
    assert detect_format(DEV / "part1.jsonl") == "jsonl"
    assert detect_format(write(tmp_path / "x.NDJSON", "")) == "jsonl"
    assert detect_format(write(tmp_path / "x.TSV", "")) == "csv"
    mixed = tmp_path / "mixed"
    write(mixed / "a.txt", "b: hoi")
    write(mixed / "b.jsonl", rec("B"))
    write(mixed / ".hidden.csv", "")
    with pytest.raises(InputError) as exc:
        detect_format(mixed)
    assert exc.value.reason == "ambiguous_format" and "jsonl, txt" in str(exc.value)
    (conv,), report = read(mixed, "jsonl")
    assert conv.id == "B" and report.ignored_files == [str(mixed / "a.txt")]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as exc:
        detect_format(empty)
    assert exc.value.reason == "no_input"
    with pytest.raises(InputError) as exc:
        read_conversations(empty, "txt")
    assert exc.value.reason == "no_input"
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as exc:
        read_conversations([DEV, missing])  # raised at once, before reading
    assert (exc.value.reason, exc.value.source) == ("not_found", str(missing))
    assert str(missing) in str(exc.value)
    with pytest.raises(InputError) as exc:
        detect_format(missing)
    assert exc.value.reason == "not_found"


def test_bad_options(tmp_path):
    p = write(tmp_path / "a.jsonl", rec("A"))
    with pytest.raises(InputError) as exc:
        read_conversations(p, "xml")
    assert exc.value.reason == "unknown_format"
    with pytest.raises(InputError) as exc:
        read_conversations(p, encoding="klingon")
    assert exc.value.reason == "bad_option"
    with pytest.raises(InputError) as exc:
        read_conversations(p, encoding="utf-16")
    assert exc.value.reason == "bad_option"
    c = write(tmp_path / "a.csv", "conversation_id,speaker,text\n")
    with pytest.raises(InputError) as exc:
        list(read_conversations(c, csv_options=CsvOptions(delimiter=";;")))
    assert exc.value.reason == "bad_option"


def test_unreadable_file_is_fatal(tmp_path, monkeypatch):
    p = write(tmp_path / "a.txt", "b: hoi")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputError) as exc:
        list(read_conversations(p))
    assert (exc.value.reason, exc.value.source) == ("unreadable", str(p))
    assert "Permission denied" in str(exc.value) and str(p) in str(exc.value)


def test_unlistable_directory_is_fatal(tmp_path, monkeypatch):
    write(tmp_path / "a.txt", "b: hoi")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(InputError) as exc:
        read_conversations(tmp_path)
    assert (exc.value.reason, exc.value.source) == ("unreadable", str(tmp_path))


def test_report_summary_and_skip_str():
    r = ReadReport(read=3)
    r.add(Skip("a.jsonl", 4, "X", "malformed_json", "malformed JSON"))
    r.add(Skip("a.csv", 9, "Y", "bad_row", "empty text", level="row"))
    r.add(Skip("a.csv", 12, "Y", "bad_row", "empty text", level="row"))
    assert r.summary() == (
        "read 3 conversations from 0 files; skipped 1 conversation (malformed_json: 1) "
        "and 2 rows (bad_row: 2)"
    )
    assert r.counts_by_reason() == {"bad_row": 2, "malformed_json": 1}
    assert str(r.skipped[0]) == "a.jsonl:4 ('X'): malformed JSON [malformed_json]"
    assert str(Skip("a.txt", None, None, "encoding", "bad")) == "a.txt: bad [encoding]"
    assert r.describe_skips(limit=1) == [str(r.skipped[0]), "... and 2 more"]
    assert len(r.describe_skips(limit=None)) == 3
    assert len(r.skipped_conversations) == 1 and len(r.skipped_rows) == 2


def test_csv_without_header_row_does_not_echo_its_first_message(tmp_path):
    """A CSV exported without a header: the first data row is read as the header, and the
    missing-column error must not show its cells (they are message text)."""
    f = tmp_path / "noheader.csv"
    f.write_text("c1,bezoeker,geheimwoord\nc1,hulpverlener,antwoord\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        list(read_conversations(f))
    assert exc.value.reason == "missing_column"
    assert "geheimwoord" not in str(exc.value) and "bezoeker" not in str(exc.value)
    assert "3 not shown" in str(exc.value)
