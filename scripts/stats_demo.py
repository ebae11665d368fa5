"""A realistic-sized demo of ``indicators stats``: two years of confirmed codes plus an
earlier report's figures, the report rendered and (with chromium) screenshotted.

The conversations are made from the dev corpus gold (codes and context, recombined at random,
with random registration data); their text is left out, so nothing of a transcript reaches the
output. Everything goes to a folder outside the repository.

    .venv/bin/python scripts/stats_demo.py [--per-year 300] [--out /tmp/stats-demo]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_CANDIDATES = [ROOT.parent / "shared" / "corpus" / "dev",
                  ROOT.parent.parent / "shared" / "corpus" / "dev"]
EARLIER = """jaar;tabel;rij;groep;n;N;pct;bron
{y};bezoekers;bezoekers;;240;240;;Rapport {y}
{y};vorm;seksueel;;150;220;68,2;Rapport {y}
{y};vorm;crimineel;;35;220;15,9;Rapport {y}
{y};leeftijd;minderjarig;;130;200;65,0;Rapport {y}
{y};dwangmiddel;dwangmiddel_genoemd;;;240;71,3;Rapport {y}
{y};ontmoeting;online;;;150;55,3;Rapport {y}
{y};klant;klant_bewust;;;;70,1;Rapport {y}
"""


def make(dev: Path, per_year: int, years: list[int], seed: int) -> list[dict]:
    rng = random.Random(seed)
    gold = [json.loads(line) for f in sorted(dev.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for year in years:
        for i in range(per_year):
            base, other = rng.choice(gold), rng.choice(gold)
            g = json.loads(json.dumps(base["gold"]))
            for k in list(g["context"]):
                if rng.random() < 0.3:
                    g["context"][k] = other["gold"]["context"].get(k)
            if rng.random() < 0.3:
                g["codes"] = list(other["gold"]["codes"])
                g["ontmoeting_platforms"] = list(other["gold"]["ontmoeting_platforms"])
            age = g["context"].get("leeftijd")
            meta = {"bezoeker_id": f"b{year}-{rng.randrange(int(per_year * 0.9))}",
                    "startdatum": (date(year, 1, 1) + timedelta(rng.randrange(365))).isoformat(),
                    "geslacht": rng.choices(["vrouw", "man", "neutraal", "onbekend"],
                                            [80, 12, 2, 6])[0],
                    "in_onderzoek": rng.choices(["ja", "nee"], [95, 5])[0],
                    "channel": base.get("channel")}
            if age is not None and rng.random() < 0.8:
                meta["leeftijd"] = age
            out.append({"id": f"demo-{year}-{i:04d}", "year": year,
                        "turns": [{"speaker": "bezoeker", "text": "(tekst weggelaten)"}],
                        "gold": g, "meta": meta})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-year", type=int, default=300)
    ap.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    ap.add_argument("--out", type=Path, default=Path("/tmp/stats-demo"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dev", type=Path, default=next(
        (p for p in DEV_CANDIDATES if p.is_dir()), DEV_CANDIDATES[0]),
        help="the dev corpus folder (default: shared/corpus/dev beside the checkout)")
    a = ap.parse_args()
    if not a.dev.is_dir():
        print(f"no dev corpus at {a.dev}", file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    data = a.out / "bevestigd.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in make(a.dev, a.per_year, a.years, a.seed)), encoding="utf-8")
    earlier = a.out / f"rapport_{min(a.years) - 1}.csv"
    earlier.write_text(EARLIER.format(y=min(a.years) - 1), encoding="utf-8")
    exe = ROOT / ".venv" / "bin" / "indicators"
    subprocess.run([str(exe), "stats", str(data), "-o", str(a.out / "uitvoer"),
                    "--earlier", str(earlier)], check=True)
    if chromium := shutil.which("chromium"):
        page = (a.out / "uitvoer" / "rapport.html").resolve().as_uri()
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={a.out / 'rapport.png'}",
                        "--window-size=1200,3000", page], check=True, capture_output=True)
        print(f"screenshot: {a.out / 'rapport.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
