"""Screenshots of the doccano annotation page as a coder sees it (for docs/ and for judging the
label design by eye).

Pushes the invented conversations of ``tests/data/doccano/fiction.jsonl`` (fiction only) to a
fresh project on the server of DOCCANO_URL / DOCCANO_USERNAME / DOCCANO_PASSWORD, logs in with
headless Chromium (Debian's ``chromium`` driven by playwright, ``pip install playwright``; no
browser download) and saves PNGs of the annotation page. The project is deleted afterwards.

    PYTHONPATH=src .venv/bin/python scripts/doccano_screenshots.py --out docs
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from indicators.doccano.client import Doccano

ROOT = Path(__file__).resolve().parents[1]
FICTION = ROOT / "tests" / "data" / "doccano" / "fiction.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--keep", action="store_true", help="keep the project (for a look by hand)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    name = f"screenshots-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "push", str(FICTION),
                        "--project", name, "--records", tmp], check=True, capture_output=True)
    dc = Doccano.from_env()
    pid = next(p["id"] for p in dc.projects() if p["name"] == name)
    url = dc.url
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/auth")
            page.locator("input").nth(0).fill(os.environ["DOCCANO_USERNAME"])
            page.locator("input[type=password]").fill(os.environ["DOCCANO_PASSWORD"])
            page.keyboard.press("Enter")
            page.wait_for_url(lambda u: "/auth" not in u, timeout=30000)
            page.goto(f"{url}/projects/{pid}/intent-detection-and-slot-filling?page=1")
            page.wait_for_timeout(4000)
            page.screenshot(path=str(args.out / "doccano-annotation.png"), full_page=False)
            # the shortcut shown is the shortcut that works: "w" toggles "Woont bij uitbuiter"
            ex = next(iter(dc.examples(pid)))
            before = {c["label"] for c in dc.categories(pid, ex["id"])}
            page.mouse.click(700, 860)  # focus the text, as a coder reading it
            page.keyboard.press("w")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(args.out / "doccano-shortcut-w.png"))
            after = {c["label"] for c in dc.categories(pid, ex["id"])}
            ids = {t["text"]: t["id"] for t in dc.label_types(pid, "category")}
            print(f"key w added: {[t for t, i in ids.items() if i in after - before]}")
            page.goto(f"{url}/projects/{pid}/guideline")
            page.wait_for_timeout(2000)
            page.screenshot(path=str(args.out / "doccano-guideline.png"))
            browser.close()
    finally:
        if not args.keep:
            dc.call("delete", f"projects/{pid}")
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
