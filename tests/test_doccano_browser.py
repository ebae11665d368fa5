"""A coder's day in a real browser: five pushed conversations reviewed with the keyboard
shortcuts shown on the chips, one code removed and one added, every one confirmed with the
toolbar's confirm button; the pull returns exactly those decisions.

Needs a doccano server (``source scripts/doccano-ci.sh``), playwright (``pip install
playwright``) and Debian's chromium (``apt-get install chromium``); skipped without them.
The conversations are invented (``tests/data/doccano/fiction.jsonl``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.doccano.client import DEFAULT_URL, Doccano
from indicators.doccano.server import answers

URL = os.environ.get("DOCCANO_URL") or DEFAULT_URL
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FICTION = Path(__file__).parent / "data" / "doccano" / "fiction.jsonl"
RUN = uuid.uuid4().hex[:8]
CLOSE_ICON = "M19,6.41L17.59,5L12,10.59"  # mdi-close: the "Not Checked" button

pytestmark = [
    pytest.mark.doccano,
    pytest.mark.skipif(not answers(URL), reason=f"no doccano server answers at {URL}"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium"),
]


def run(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_five_conversations_reviewed_with_the_keyboard(tmp_path, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    admin = Doccano.from_env()
    cb = load_codebook()
    project = f"test-browser-{RUN}"
    suggestions = {json.loads(x)["id"]: json.loads(x) for x in FICTION.read_text().splitlines()}
    res = run("push", FICTION, "--project", project, "--records", tmp_path)
    assert res.exit_code == 0, res.output
    coder, password = f"codeur_{RUN}", secrets.token_urlsafe(16)
    monkeypatch.setenv("DOCCANO_CODER_PASSWORD", password)
    assert run("doccano", "add-coder", coder, "--project", project).exit_code == 0
    pid = next(p["id"] for p in admin.projects() if p["name"] == project)
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{URL}/auth")
            page.locator("input").nth(0).fill(coder)
            page.locator("input[type=password]").fill(password)
            page.keyboard.press("Enter")
            page.wait_for_url(lambda u: "/auth" not in u, timeout=30000)
            changed = None
            for n in range(1, 6):
                page.goto(f"{URL}/projects/{pid}/intent-detection-and-slot-filling?page={n}")
                page.get_by_text("voorstel codes").wait_for(timeout=30000)
                page.wait_for_timeout(800)
                if n == 1:  # remove one suggested code and add one, with their keys
                    changed = next(c for c in suggestions if page.get_by_text(c).count())
                    codes = suggestions[changed]["codes"]
                    removed = next(c for c in cb.annotatable_codes if c in codes)
                    added = next(c for c in cb.annotatable_codes if c not in codes)
                    page.mouse.click(700, 880)
                    for code in (removed, added):
                        page.keyboard.press(cb.codes[code].shortcut)
                        page.wait_for_timeout(800)
                page.locator(f"button:has(path[d^='{CLOSE_ICON}'])").first.click()
                page.wait_for_timeout(800)
            browser.close()
        out = tmp_path / "pulled.jsonl"
        res = run("pull", "--project", project, "-o", out, "--records", tmp_path)
        assert res.exit_code == 0, res.output
        pulled = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
        assert {k for k, r in pulled.items() if r["review"]["status"] == "confirmed"} == set(
            suggestions)
        for cid, rec in pulled.items():
            machine = rec["review"]["machine"]["codes"]
            assert rec["review"]["coder"] == coder
            if cid == changed:
                want = [c for c in machine if c != removed] + [added]
                assert sorted(rec["gold"]["codes"]) == sorted(want)
                assert not any(e["code"] == removed for e in rec["gold_evidence"])
                assert rec["review"]["evidence_dropped"] == 1
            else:
                assert rec["gold"]["codes"] == machine
            assert rec["gold"]["context"]["leeftijd"] == suggestions[cid]["context"][
                "leeftijd"]["value"]
    finally:
        admin.call("delete", f"projects/{pid}")
