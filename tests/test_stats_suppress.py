"""Small-cell suppression: primary, secondary (no single hidden cell next to a total)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import DEV_CORPUS  # noqa: E402
from indicators.codebook import load_codebook
from indicators.stats.load import load_records
from indicators.stats.summary import select
from indicators.stats.suppress import publish, suppressed_cells
from indicators.stats.tables import build

DEV = DEV_CORPUS


def test_primary_hides_small_nonzero_counts_only():
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 30}
    assert suppressed_cells(values, [], 5) == {"b", "c"}
    assert suppressed_cells(values, [], 2) == {"b"}


def test_secondary_hides_a_second_cell_when_one_could_be_derived():
    # years 2023 + 2024 = total; 2023 is small, so 2024 = total - 2023 must be hidden too
    values = {"2023": 3, "2024": 40, "tot": 43}
    assert suppressed_cells(values, [(["2023", "2024"], "tot")], 5) == {"2023", "2024"}
    # the smallest other non-zero member is chosen
    values = {"a": 2, "b": 9, "c": 7, "tot": 18}
    assert suppressed_cells(values, [(["a", "b", "c"], "tot")], 5) == {"a", "c"}
    # two small members already protect each other
    values = {"a": 2, "b": 3, "c": 70, "tot": 75}
    assert suppressed_cells(values, [(["a", "b", "c"], "tot")], 5) == {"a", "b"}
    # a hidden total needs nothing more
    values = {"a": 2, "b": 0, "tot": 2}
    assert suppressed_cells(values, [(["a", "b"], "tot")], 5) == {"a", "tot"}


def test_secondary_cascades_across_relations():
    # rows (years) and columns (categories) of a 2x2 table with margins
    v = {"y1a": 2, "y1b": 10, "y1": 12, "y2a": 8, "y2b": 9, "y2": 17,
         "ta": 10, "tb": 19, "t": 29}
    rel = [(["y1a", "y1b"], "y1"), (["y2a", "y2b"], "y2"), (["y1a", "y2a"], "ta"),
           (["y1b", "y2b"], "tb"), (["y1", "y2"], "t"), (["ta", "tb"], "t")]
    hidden = suppressed_cells(v, rel, 5)
    for members, total in rel:
        if total not in hidden:
            assert sum(m in hidden for m in members) != 1, (members, total)


@pytest.fixture(scope="module")
def dev_result():
    if not DEV.is_dir():
        pytest.skip("dev corpus not available")
    cb = load_codebook()
    return build(select(load_records([DEV], cb)).records, cb)


def _is_count(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def test_published_tables_show_no_small_counts(dev_result):
    pub = publish(dev_result, 5)
    seen = set()
    for name, df in pub.items():
        if name == "jaarvergelijking":
            continue
        raw = dev_result.tables[name]
        for col in ("n", "N"):
            for x, true in zip(df[col], raw[col], strict=True):
                if isinstance(x, str):
                    seen.add(x)
                    # "<5" only for small counts; "x" (secondary) only for counts >= 5
                    assert (x == "<5" and 0 < true < 5) or (x == "x" and true >= 5), (x, true)
                else:
                    assert _is_count(x) and x == true and (x == 0 or x >= 5), (name, col, x)
        hidden = df["n"].map(lambda x: isinstance(x, str)) | df["N"].map(
            lambda x: isinstance(x, str))
        assert df.loc[hidden, "pct"].isna().all(), name
    assert seen == {"<5", "x"}  # the dev corpus has small cells and secondary suppression


def test_no_year_can_be_derived_from_the_total(dev_result):
    pub = publish(dev_result, 5)
    for name, df in pub.items():
        if name == "jaarvergelijking":
            continue
        for _, g in df.groupby(["indicator", "groep"]):
            tot = g[g["jaar"] == "totaal"]
            years = g[g["jaar"] != "totaal"]
            for col in ("n", "N"):
                if _is_count(tot[col].iloc[0]):
                    assert sum(isinstance(x, str) for x in years[col]) != 1, (name, col)


def test_online_offline_cannot_be_derived(dev_result):
    df = publish(dev_result, 5)["ontmoeting"]
    for _, g in df.groupby("jaar"):
        if _is_count(g["N"].iloc[0]):
            assert sum(isinstance(x, str) for x in g["n"]) != 1


def test_same_number_hidden_in_every_table(dev_result):
    """N of 'vorm = seksueel' appears in several tables: shown or hidden alike."""
    pub = publish(dev_result, 5)
    for jaar in pub["klantbewustzijn"]["jaar"].unique():
        vals = set()
        for name in ("klantbewustzijn", "dwangmiddelen", "codes_naar_vorm"):
            df = pub[name]
            vals |= set(df[(df["jaar"] == jaar) & (df["groep"] == "vorm=seksueel")]["N"])
        assert len(vals) == 1, (jaar, vals)


def test_no_suppress_publishes_raw_counts(dev_result):
    pub = publish(dev_result, None)
    for name, raw in dev_result.tables.items():
        assert list(pub[name]["n"]) == list(raw["n"])
        assert list(pub[name]["N"]) == list(raw["N"])
    assert all(pd.notna(pub["codes"]["pct"]))
