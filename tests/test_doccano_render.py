"""Rendering a conversation as one doccano example, and offsets both ways (no server)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.doccano.render import RenderError, parse, render

TURNS = [
    {"speaker": "bezoeker", "text": "hoi"},
    {"speaker": "hulpverlener", "text": "Hoi, welkom. Waar wil je over praten?"},
    {"speaker": "bezoeker", "text": "die heb ik hem ooit gestuurd 😞 via snap"},
    {"speaker": "bezoeker", "text": "regel een\nregel twee"},
]


def test_one_line_per_message_with_speaker():
    r = render(TURNS)
    lines = r.text.split("\n")
    assert lines[0] == "bezoeker: hoi"
    assert lines[1] == "hulpverlener: Hoi, welkom. Waar wil je over praten?"
    assert lines[3] == "bezoeker: regel een regel twee"
    assert len(lines) == len(TURNS)


def test_turn_offsets_map_to_the_same_text_after_an_emoji():
    r = render(TURNS)
    t = TURNS[2]["text"]
    start = t.index("snap")
    gs, ge = r.to_global(2, start, start + 4)
    assert r.text[gs:ge] == "snap"
    assert r.to_local(gs, ge) == (2, start, start + 4)


def test_offsets_survive_a_line_break_inside_a_message():
    r = render(TURNS)
    gs, ge = r.to_global(3, 0, len(TURNS[3]["text"]))
    assert r.text[gs:ge] == "regel een regel twee"


def test_span_starting_in_the_speaker_prefix_is_moved_into_the_message():
    r = render(TURNS)
    line2 = sum(len(x) + 1 for x in r.text.split("\n")[:2])
    assert r.to_local(line2, line2 + len("bezoeker: die")) == (2, 0, 3)


def test_span_over_two_messages_is_cut_at_the_end_of_the_first():
    r = render(TURNS)
    gs, _ = r.to_global(0, 0, 3)
    ge, _ = r.to_global(1, 0, 3)
    assert r.to_local(gs, ge) == (0, 0, 3)


@pytest.mark.parametrize("turn,start,end", [(9, 0, 1), (0, 2, 9), (0, 2, 2), (0, -1, 2)])
def test_offsets_outside_a_turn_are_refused(turn, start, end):
    with pytest.raises(RenderError):
        render(TURNS).to_global(turn, start, end)


def test_unknown_speaker_is_refused():
    with pytest.raises(RenderError):
        render([{"speaker": "klant", "text": "x"}])


def test_parse_gives_the_turns_back():
    assert parse(render(TURNS).text) == [
        {"speaker": t["speaker"], "text": t["text"].replace("\n", " ")} for t in TURNS]


def test_parse_refuses_a_line_without_speaker():
    with pytest.raises(RenderError):
        parse("bezoeker: hoi\nzomaar een regel")


messages = st.lists(
    st.tuples(st.sampled_from(["bezoeker", "hulpverlener"]),
              st.text(min_size=1, max_size=30)), min_size=1, max_size=6)


@given(messages, st.data())
def test_round_trip_of_any_span(msgs, data):
    turns = [{"speaker": s, "text": t} for s, t in msgs]
    r = render(turns)
    turn = data.draw(st.integers(0, len(turns) - 1))
    n = len(turns[turn]["text"])
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start + 1, n))
    gs, ge = r.to_global(turn, start, end)
    assert r.text[gs:ge] == turns[turn]["text"][start:end].translate(
        {ord(c): " " for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
    assert r.to_local(gs, ge) == (turn, start, end)
    assert [t["speaker"] for t in parse(r.text)] == [t["speaker"] for t in turns]
