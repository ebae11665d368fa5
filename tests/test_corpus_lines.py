"""The one JSON Lines reader for our own formats: line numbers, skips and errors."""

from __future__ import annotations

from indicators.corpus.lines import LineError, json_lines


def test_lines_numbers_blanks_bom_and_errors(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"id": "a"}\n'  # 1: BOM ignored
                  b"\n"  # 2: blank, skipped
                  b'{"id": "b",\r "n": 1}\n'  # 3: a CR is whitespace, not a line break
                  b'{"id": \xff}\n'  # 4: not UTF-8
                  b'{"id": "c"\n'  # 5: malformed
                  b"   \t\n"  # 6: blank
                  b'{"id": "d"}')  # 7: no final newline
    got = list(json_lines(f))
    assert [n for n, _ in got] == [1, 3, 4, 5, 7]
    assert got[0][1] == {"id": "a"} and got[1][1] == {"id": "b", "n": 1}
    assert got[2][1] == LineError("not UTF-8 (byte 8 of the line)")
    assert isinstance(got[3][1], LineError) and got[3][1].detail.startswith("malformed JSON")
    assert got[4][1] == {"id": "d"}


def test_errors_never_quote_the_line(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"text": "geheime zin zonder einde\n', encoding="utf-8")
    [(n, err)] = list(json_lines(f))
    assert n == 1 and isinstance(err, LineError) and "geheime" not in err.detail
