"""Figures of earlier years: a hand-filled CSV from a published report, read as written."""

from __future__ import annotations

import pytest

from indicators.stats.earlier import read_earlier
from indicators.stats.load import StatsInputError

KNOWN = {"bezoekers": {"bezoekers"}, "vorm": {"seksueel", "crimineel"}}


def test_dutch_numbers_marks_and_sources(tmp_path):
    f = tmp_path / "rapport.csv"
    f.write_text("\ufeffJaar;Tabel;Rij;Groep;n;N;Percentage;Bron\n"
                 "2021;bezoekers;bezoekers;;1.204;1.204;;Rapport 2021\n"
                 "2021;vorm;seksueel;alle;<5;220;68,2%;Rapport 2021\n"
                 "2021;vorm;nietbestaand;;1;2;;\n"
                 "2024;vorm;crimineel;;5;20;25;\n", encoding="utf-8")
    e = read_earlier([f], KNOWN, data_years=[2024])
    rows = {r["rij"]: r for r in e.figures.to_dict("records")}
    assert (rows["bezoekers"]["n"], rows["bezoekers"]["N"]) == (1204, 1204)
    assert (rows["seksueel"]["n"], rows["seksueel"]["pct"]) == ("x", 68.2)
    assert e.source("2021") == "Rapport 2021"
    assert e.ignored_years == ["2024"]  # the data has 2024: its own figures count
    assert len(e.problems) == 1 and ":4:" in e.problems[0]


def test_comma_separated_without_optional_columns(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("jaar,tabel,rij,pct\n2020,vorm,crimineel,12.5\n", encoding="utf-8")
    e = read_earlier([f], KNOWN, data_years=[])
    r = e.figures.iloc[0].to_dict()
    assert (r["groep"], r["pct"], r["bron"]) == ("alle", 12.5, "rapport")


def test_a_csv_without_the_id_columns_is_an_error(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("year;value\n2020;3\n", encoding="utf-8")
    with pytest.raises(StatsInputError, match="needs the columns"):
        read_earlier([f], KNOWN, data_years=[])
