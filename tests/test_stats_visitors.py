"""Unique visitors: linking by bezoeker_id and by hand, per year, and how values combine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators.codebook import load_codebook
from indicators.stats.load import StatsInputError, load_records
from indicators.stats.visitors import link_rows, link_visitors, read_links


def rec(rid, bid=None, date="2024-03-01", **ctx):
    context = {"chatter": "onbekend", "vorm": [], "pleger": [], "acuut_onveilig": "onbekend",
               "first_disclosure": "onbekend", "duur": "onbekend",
               "aantal_plegers": "onbekend", "leeftijd": None}
    codes = ctx.pop("codes", [])
    meta = {"startdatum": date, **ctx.pop("meta", {})}
    if bid:
        meta["bezoeker_id"] = bid
    context.update(ctx)
    return {"id": rid, "turns": [], "meta": meta,
            "gold": {"codes": codes, "ontmoeting_platforms": [], "context": context}}


def load(tmp_path, recs):
    f = tmp_path / "r.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return load_records([f], load_codebook()).confirmed


def links(tmp_path, text) -> Path:
    f = tmp_path / "links.csv"
    f.write_text(text, encoding="utf-8")
    return f


def test_same_bezoeker_id_is_one_visitor_per_year(tmp_path):
    recs = load(tmp_path, [rec("a", "U1"), rec("b", "U1", "2024-06-01"),
                           rec("c", "U1", "2023-05-01"), rec("d", "U2"), rec("e")])
    units = link_visitors(recs).units
    by_year = {(u.year, tuple(u.ids)) for u in units}
    assert by_year == {(2023, ("c",)), (2024, ("a", "b")), (2024, ("d",)), (2024, ("e",))}


def test_hand_links_are_transitive_and_unknown_ids_reported(tmp_path):
    recs = load(tmp_path, [rec("a", "U1"), rec("b", "U2"), rec("c", "U3"), rec("d")])
    f = links(tmp_path, "a,b\nU2,c\nU3,d\nZZ,a\n")  # comma also works; header line first
    linking = link_visitors(recs, read_links(f))
    # header "a,b" is the header line: so U2-c, U3-d link b, c, d; a stays alone
    groups = sorted(tuple(u.ids) for u in linking.units)
    assert groups == [("a",), ("b", "c", "d")]
    assert linking.unknown_links == ["regel 4: ZZ"]
    row = next(r for r in link_rows(linking.units) if r["aantal_gesprekken"] == 3)
    assert row["gekoppeld_via"] == "handmatig"


def test_values_combine_over_a_visitors_conversations(tmp_path):
    recs = load(tmp_path, [
        rec("a", "U1", "2024-05-01", chatter="slachtoffer", vorm=["seksueel"],
            duur="1_tot_2_jaar", acuut_onveilig="onbekend", leeftijd=16,
            codes=["sextortion"], meta={"geslacht": "onbekend", "channel": "csg"}),
        rec("b", "U1", "2024-02-01", chatter="slachtoffer", vorm=["crimineel"],
            duur="korter_dan_3_maanden", acuut_onveilig="nee", aantal_plegers="meerdere",
            codes=["inwonend"], meta={"leeftijd": 15, "geslacht": "vrouw",
                                      "channel": "chatmetfier", "ouder_rol": "vader"}),
        rec("c", "U1", "2024-09-01", acuut_onveilig="ja", aantal_plegers="een",
            meta={"ouder_rol": "moeder", "leeftijd": 17})])
    (u,) = link_visitors(recs).units
    assert u.ids == ["b", "a", "c"]  # by start date
    assert set(u.context["vorm"]) == {"seksueel", "crimineel"}
    assert u.codes >= {"sextortion", "inwonend", "dwangmiddel_genoemd"}
    assert u.context["duur"] == "1_tot_2_jaar"  # the longest named
    assert u.context["acuut_onveilig"] == "nee"  # the first chat where it is known
    assert u.context["aantal_plegers"] == "meerdere"
    assert (u.leeftijd, u.leeftijd_bron) == (15, "registratie")  # registration first
    assert (u.geslacht, u.channel, u.ouder_rol) == ("vrouw", "chatmetfier", "beide")
    assert u.startdatum.isoformat() == "2024-02-01"
    assert "acuut_onveilig" in u.conflicts and "leeftijd (registratie)" in u.conflicts


def test_text_age_when_nothing_registered(tmp_path):
    (u,) = link_visitors(load(tmp_path, [rec("a", leeftijd=14)])).units
    assert (u.leeftijd, u.leeftijd_bron) == (14, "gesprek")


def test_missing_link_file_is_an_error(tmp_path):
    with pytest.raises(StatsInputError):
        read_links(tmp_path / "nope.csv")
