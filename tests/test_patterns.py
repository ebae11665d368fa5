"""Pattern files: loading, validation against the codebook, coverage of every code and platform."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import conv
from indicators.codebook import load_codebook
from indicators.rules.load import PatternError, load_patterns, parse_term

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_and_platform_has_a_pattern():
    cb = load_codebook()
    ps = load_patterns()
    codes = {p.code for p in ps.patterns if p.code}
    assert set(cb.annotatable_codes) <= codes
    assert set(cb.platforms) == set(ps.platform_concepts.values())
    assert len({p.id for p in ps.patterns}) == len(ps.patterns)


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "patterns"
    shutil.copytree(ROOT / "patterns", d)
    return d


def test_unknown_code_id_names_file_and_pattern(tmp_path):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text(
        "patterns:\n  - id: bad.one\n    code: sextorsie\n    all: [IMAGES]\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"zz_bad.yaml: pattern bad.one: unknown code id"):
        load_patterns(d)


def test_unknown_platform_and_concept(tmp_path):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text("platforms:\n  myspace: [myspace]\n", encoding="utf-8")
    with pytest.raises(PatternError, match="unknown platform id 'myspace'"):
        load_patterns(d)
    (d / "zz_bad.yaml").write_text(
        "patterns:\n  - id: bad.two\n    code: inwonend\n    all: [NO_SUCH]\n", encoding="utf-8")
    with pytest.raises(PatternError, match="unknown concept 'NO_SUCH'"):
        load_patterns(d)


def test_platform_precedence_names_known_platforms(tmp_path):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text("platform_precedence:\n  discord: [roblox]\n", encoding="utf-8")
    with pytest.raises(PatternError, match="unknown platform id 'roblox'"):
        load_patterns(d)


def test_yaml_error_names_line(tmp_path):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text("patterns:\n  - id: x\n    all: [A\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"zz_bad.yaml:\d+: not valid YAML"):
        load_patterns(d)


def test_derived_code_cannot_be_assigned(tmp_path):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text(
        "patterns:\n  - id: bad.three\n    code: klant_bewust\n    all: [CLIENT]\n",
        encoding="utf-8")
    with pytest.raises(PatternError, match="derived"):
        load_patterns(d)


def test_term_syntax():
    t = parse_term("zet ... online", "X", "w")
    assert [s.kind for s in t.tokens] == ["exact", "gap", "exact"]
    t = parse_term("naakt* /1[0-3]/ *fotos", "X", "w")
    assert [s.kind for s in t.tokens] == ["prefix", "regex", "suffix"]
    assert t.tokens[1].matches("12") and not t.tokens[1].matches("14")
    with pytest.raises(PatternError, match="regex"):
        parse_term("/(a|een site)/", "X", "w")
    with pytest.raises(PatternError):
        parse_term("... begin", "X", "w")


def test_pattern_edit_changes_suggestions(tmp_path, make_conv):
    """A researcher removes a pattern file's pattern: the suggestion disappears."""
    from indicators.rules.engine import RuleEngine

    c = make_conv("b: mn vriend stuurt me naar klanten", "b: een klant sloeg me")
    assert "klant_geweld" in RuleEngine().suggest(c).codes
    d = _copy(tmp_path)
    text = (d / "klant_geweld.yaml").read_text(encoding="utf-8")
    head = text.split("patterns:")[0]
    (d / "klant_geweld.yaml").write_text(
        head + "patterns:\n  - id: klant_geweld.only_knife\n    code: klant_geweld\n"
        "    all: [CLIENT, VIOLENCE_Q]\n", encoding="utf-8")
    assert "klant_geweld" not in RuleEngine(load_patterns(d)).suggest(c).codes


@pytest.mark.parametrize("text, msg", [
    ("modifiers:\n  - {id: m.x, category: negated, terms: [nooit], windw: 3}\n",
     r"modifiers\[0\]: unknown key\(s\) \['windw'\]"),
    ("dialogue:\n  anser_window: 2\n", r"dialogue: unknown key\(s\) \['anser_window'\]"),
    ("dialogue:\n  answer_window: drie\n", "answer_window: needs a number"),
    ("resolve:\n  exclusive: [[ontmoeting_online, ontmoeting_ergens]]\n",
     "resolve.exclusive: unknown code 'ontmoeting_ergens'"),
    ("resolve:\n  platfrom_code: x\n", "unknown key"),
    ("patterns:\n  - {id: p.x, platform: snapchat, any: [IMAGES]}\n",
     r"unknown key\(s\) \['platform'\]"),  # platform patterns never fired: not in the format
    ("spelling:\n  M'n: mijn\n", "normalised"),
])
def test_every_key_is_checked(tmp_path, text, msg):
    d = _copy(tmp_path)
    (d / "zz_bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises((PatternError, ValueError), match=msg):
        load_patterns(d)


def test_dialogue_windows_and_factors_are_data(tmp_path):
    from indicators.rules.engine import RuleEngine

    c = conv("h: Dreigt hij je naaktfoto's naar je ouders te sturen?", "b: ja", cid="t")
    base = {e.source: e.score for e in RuleEngine().suggest(c).evidence}
    assert base and all(e.via == "confirmed" for e in RuleEngine().suggest(c).evidence)
    d = _copy(tmp_path)
    ctx = (d / "context.yaml").read_text(encoding="utf-8")
    (d / "context.yaml").write_text(ctx.replace("confirm_factor: 0.85", "confirm_factor: 0.5"),
                                    encoding="utf-8")
    got = {e.source: e.score for e in RuleEngine(load_patterns(d)).suggest(c).evidence}
    assert got.keys() == base.keys()
    assert all(abs(got[k] - base[k] * 0.5 / 0.85) < 1e-9 for k in got)
