"""The doccano loop against a real doccano server (DOCCANO_URL, DOCCANO_USERNAME/PASSWORD).

Start one with ``source scripts/doccano-ci.sh`` (or ``indicators doccano serve``). The tests are
skipped only when no server answers at DOCCANO_URL.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.doccano.client import DEFAULT_URL, Doccano, DoccanoError
from indicators.doccano.labels import LabelScheme
from indicators.doccano.project import ensure_label_types, ensure_project
from indicators.doccano.push import Pusher, plan_labels
from indicators.doccano.records import PushRecord, project_key
from indicators.doccano.render import render
from indicators.doccano.server import answers
from indicators.doccano.suggestions import read_suggestions

URL = os.environ.get("DOCCANO_URL") or DEFAULT_URL
RUN = uuid.uuid4().hex[:8]  # every project this run creates has it in its name
SUGGESTIONS = Path(__file__).parent / "data" / "doccano" / "suggestions.jsonl"

pytestmark = [
    pytest.mark.doccano,
    pytest.mark.skipif(not answers(URL), reason=f"no doccano server answers at {URL} "
                       "(start one: source scripts/doccano-ci.sh)"),
]

# What the coder does, by conversation id.
ACCEPT = ["DA-001", "DA-002", "DA-005"]  # confirm the suggestion as it is
CHANGE = "DB-001"  # sextortion -> inwonend, the age removed, then confirm
ADD = "DA-003"  # no codes suggested; coder adds klant_geweld with evidence, then confirm
EDIT_ONLY = "DA-007"  # coder removes a code but does not confirm
TOGGLED = "DA-008"  # confirmed and unconfirmed again
CONFIRMED = set(ACCEPT) | {CHANGE, ADD}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def scheme(codebook):
    return LabelScheme(codebook)


@pytest.fixture(scope="module")
def suggestions(codebook):
    return {s.id: s for s in read_suggestions(SUGGESTIONS, codebook)}


@pytest.fixture(scope="module")
def admin():
    return Doccano.from_env()


@pytest.fixture(scope="module")
def env(tmp_path_factory, admin):
    records = tmp_path_factory.mktemp("annotations")
    yield {"project": f"test-{RUN}", "records": records}
    for p in admin.projects():
        if RUN in p["name"]:
            admin.call("delete", f"projects/{p['id']}")


def run(*args: str) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


def coder_session(admin: Doccano) -> tuple[Doccano, dict]:
    """Log in as coder1, creating it through the API if needed (a fresh name if coder1 exists
    with a password this run does not know)."""
    password = os.environ.get("DOCCANO_CODER_PASSWORD") or secrets.token_urlsafe(16)
    for name in ("coder1", f"coder1_{uuid.uuid4().hex[:6]}"):
        users = {u["username"]: u for u in admin.users()}
        if name not in users:
            admin.post("users/create", json={"username": name, "email": f"{name}@example.org",
                                             "password1": password, "password2": password})
            users = {u["username"]: u for u in admin.users()}
        try:
            return Doccano(URL, name, password), users[name]
        except DoccanoError:
            continue
    raise AssertionError("could not log in as a coder")


def by_cid(dc: Doccano, pid: int) -> dict[str, dict]:
    return {e["meta"]["conversation_id"]: e for e in dc.examples(pid)}


def label_ids(dc: Doccano, pid: int, kind: str) -> dict[str, int]:
    return {t["text"]: t["id"] for t in dc.label_types(pid, kind)}


@pytest.fixture(scope="module")
def pushed(env, admin, suggestions):
    res = run("push", SUGGESTIONS, "--project", env["project"], "--records", env["records"],
              "--batch-size", "25")
    assert res.exit_code == 0, res.output
    pid = next(p["id"] for p in admin.projects() if p["name"] == env["project"])
    return pid


@pytest.fixture(scope="module")
def reviewed(env, admin, pushed, scheme, suggestions):
    """A coder works through some examples in doccano, through the API like the UI does."""
    pid = pushed
    coder, coder_user = coder_session(admin)
    roles = {r["name"]: r["id"] for r in admin.get("roles")}
    admin.post(f"projects/{pid}/members", json={"user": coder_user["id"],
                                                 "role": roles["annotator"]})
    ex = by_cid(coder, pid)
    cats = label_ids(coder, pid, "category")
    spans = label_ids(coder, pid, "span")

    def confirm(cid):
        coder.post(f"projects/{pid}/examples/{ex[cid]['id']}/states")

    for cid in ACCEPT:
        confirm(cid)
    # change a label: remove the machine's sextortion, add inwonend
    eid = ex[CHANGE]["id"]
    for c in coder.categories(pid, eid):
        if c["label"] == cats[scheme.code_category("sextortion").text]:
            coder.call("delete", f"projects/{pid}/examples/{eid}/categories/{c['id']}")
    coder.post(f"projects/{pid}/examples/{eid}/categories",
               json={"label": cats[scheme.code_category("inwonend").text]})
    for sp in coder.spans(pid, eid):  # and removes the age the machine marked
        if sp["label"] == spans[scheme.number_span("leeftijd").text]:
            coder.call("delete", f"projects/{pid}/examples/{eid}/spans/{sp['id']}")
    confirm(CHANGE)
    # add a code the machine missed, with evidence on a visitor message
    eid = ex[ADD]["id"]
    s = suggestions[ADD]
    taken = [(sp["start_offset"], sp["end_offset"]) for sp in coder.spans(pid, eid)]
    rendered = render(s.turns)

    def free(i):
        a, b = rendered.to_global(i, 2, 8)
        return not any(a < y and x < b for x, y in taken)

    turn = next(i for i, t in enumerate(s.turns)
                if t["speaker"] == "bezoeker" and len(t["text"]) > 8 and free(i))
    start, end = rendered.to_global(turn, 2, 8)
    coder.post(f"projects/{pid}/examples/{eid}/categories",
               json={"label": cats[scheme.code_category("klant_geweld").text]})
    coder.post(f"projects/{pid}/examples/{eid}/spans",
               json={"label": spans[scheme.code_span("klant_geweld").text],
                     "start_offset": start, "end_offset": end})
    coder.post(f"projects/{pid}/examples/{eid}/categories",
               json={"label": cats[scheme.context_category("vorm", "seksueel").text]})
    confirm(ADD)
    # edit without confirming
    eid = ex[EDIT_ONLY]["id"]
    first = coder.categories(pid, eid)[0]
    coder.call("delete", f"projects/{pid}/examples/{eid}/categories/{first['id']}")
    # confirm and take it back
    confirm(TOGGLED)
    confirm(TOGGLED)
    return {"coder": coder_user["username"], "add_turn": turn}


@pytest.fixture(scope="module")
def pulled(env, reviewed, tmp_path_factory):
    out = tmp_path_factory.mktemp("pull") / "confirmed.jsonl"
    res = run("pull", "--project", env["project"], "-o", out, "--records", env["records"])
    assert res.exit_code == 0, res.output
    n_pending = len(SUGGESTIONS.read_text().splitlines()) - len(CONFIRMED)
    assert f"{n_pending} pending" in res.output.replace("\n", " ")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return {"file": out,
            "pending": [r for r in lines if r["review"]["status"] == "pending"],
            **{r["id"]: r for r in lines if r["review"]["status"] == "confirmed"}}


def test_push_creates_one_example_per_conversation(admin, pushed, env, suggestions, scheme,
                                                   codebook):
    examples = by_cid(admin, pushed)
    assert set(examples) == set(suggestions)
    project = admin.get(f"projects/{pushed}")
    assert project["project_type"] == "IntentDetectionAndSlotFilling"
    assert project["collaborative_annotation"] is True
    assert "Sextortion" in project["guideline"]
    ex = examples["DA-001"]
    s = suggestions["DA-001"]
    assert ex["text"] == render(s.turns).text
    assert ex["text"].split("\n")[0].startswith("bezoeker: ")
    meta = ex["meta"]
    assert meta["jaar"] == str(s.year) and meta["kanaal"] == s.channel
    assert "machine" not in meta
    assert "Klant bewust" in meta["afgeleid"]
    assert meta["registratie"] == s.meta and s.meta["bezoeker_id"]
    assert meta["voorstel codes"].startswith(scheme.code_category(s.codes[0]).text)
    plan = plan_labels(s, scheme)
    cat_text = {v: k for k, v in label_ids(admin, pushed, "category").items()}
    on_server = sorted(cat_text[c["label"]] for c in admin.categories(pushed, ex["id"]))
    assert on_server == sorted(t for t, _ in plan.categories)
    # every context variable but the number is pre-selected, onbekend included
    chosen_vars = {scheme.decode("category", t)[1] for t in on_server
                   if scheme.decode("category", t)[0] == "context"}
    assert chosen_vars == {v.id for v in codebook.context.values() if not v.number}
    # derived codes are never label types
    assert not any("afgeleid" in t for t in cat_text.values())
    # evidence spans (and the age) land where the plan put them
    span_text = {v: k for k, v in label_ids(admin, pushed, "span").items()}
    spans = sorted((span_text[sp["label"]], sp["start_offset"], sp["end_offset"])
                   for sp in admin.spans(pushed, ex["id"]))
    assert spans and spans == sorted(sp[:3] for sp in plan.spans)
    aged = next(x for x in suggestions.values() if x.context.get("leeftijd") is not None
                and x.context_evidence.get("leeftijd"))
    ex2 = examples[aged.id]
    marked = [ex2["text"][sp["start_offset"]:sp["end_offset"]] for sp in admin.spans(
        pushed, ex2["id"]) if span_text[sp["label"]] == scheme.number_span("leeftijd").text]
    assert marked == [str(aged.context["leeftijd"])]
    # the local record holds every conversation once
    local = PushRecord(env["project"], env["records"]).load(
        project_key(admin.url, admin.get(f"projects/{pushed}")))
    assert set(local) == set(suggestions)
    assert local["DA-001"]["server"] == admin.url and local["DA-001"]["project_id"] == pushed


def test_pull_exports_exactly_the_confirmed(pulled, suggestions):
    assert set(pulled) - {"file", "pending"} == CONFIRMED
    pending = pulled["pending"]
    assert {r["id"] for r in pending} == set(suggestions) - CONFIRMED
    assert all("turns" not in r and r["review"]["status"] == "pending" for r in pending)
    # stats counts the pending ids as not yet reviewed
    from indicators.stats.load import load_records

    loaded = load_records([pulled["file"]], load_codebook())
    assert not loaded.problems
    assert {r.id for r in loaded.pending} == {r["id"] for r in pending}
    assert {r.id for r in loaded.confirmed} == CONFIRMED
    assert EDIT_ONLY not in pulled and TOGGLED not in pulled


def test_pull_keeps_coder_decisions_and_the_machine_suggestion(pulled, reviewed, suggestions):
    for cid in ACCEPT:
        rec = pulled[cid]
        s = suggestions[cid]
        assert rec["gold"]["codes"] == s.codes
        assert rec["gold"]["ontmoeting_platforms"] == s.platforms
        assert rec["review"]["status"] == "confirmed"
        assert rec["review"]["coder"] == reviewed["coder"]
        assert rec["review"]["confirmed_at"]
        assert rec["review"]["machine"]["codes"] == s.codes
        assert rec["turns"] == s.turns
        assert rec["year"] == s.year
        assert rec["meta"] == s.meta
        assert rec["gold"]["context"]["leeftijd"] == s.context["leeftijd"]
        assert rec["gold"]["context"]["duur"] == s.context["duur"]
        assert all(e["origin"] == "machine" for e in rec["gold_evidence"])
    changed = pulled[CHANGE]
    assert "sextortion" not in changed["gold"]["codes"]
    assert "inwonend" in changed["gold"]["codes"]
    assert "sextortion" in changed["review"]["machine"]["codes"]
    # the removed code's machine evidence went with it
    assert not any(e["code"] == "sextortion" for e in changed["gold_evidence"])
    assert changed["review"]["evidence_dropped"] >= 1
    assert changed["gold"]["context"]["leeftijd"] is None  # the coder removed the age
    added = pulled[ADD]
    assert added["gold"]["codes"] == ["klant_geweld"]
    assert added["review"]["machine"]["codes"] == []
    assert added["gold"]["context"]["vorm"] == ["seksueel"]
    assert added["gold"]["context"]["first_disclosure"] == "onbekend"
    ev = [e for e in added["gold_evidence"] if e["code"] == "klant_geweld"]
    assert ev == [{"code": "klant_geweld", "turn": reviewed["add_turn"], "speaker": "bezoeker",
                   "start": 2, "end": 8, "user": reviewed["coder"], "origin": "coder"}]
    # derived codes are never in gold
    assert all("klant_bewust" not in r["gold"]["codes"] for r in pulled.values()
               if isinstance(r, dict))


def test_review_report(pulled, tmp_path):
    f = tmp_path / "pulled.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for k, r in pulled.items()
                         if k not in ("file", "pending")))
    out = tmp_path / "report.json"
    res = run("review-report", f, "--json", out)
    assert res.exit_code == 0, res.output
    report = {r["code"]: r for r in json.loads(out.read_text())["codes"]}
    assert report["sextortion"]["rejected"] == 1
    assert list(report["sextortion"]["rejected_by_source"]) == ["pattern:sextortion.gold_fixture"]
    assert report["inwonend"]["added"] == 1
    assert report["klant_geweld"]["added"] == 1
    assert report["ontmoeting_online"]["rejected"] == 0


def test_push_again_duplicates_and_overwrites_nothing(env, admin, pushed, pulled, tmp_path):
    before = by_cid(admin, pushed)
    cats_before = {cid: sorted(c["label"] for c in admin.categories(pushed, before[cid]["id"]))
                   for cid in (CHANGE, ADD, EDIT_ONLY)}
    res = run("push", SUGGESTIONS, "--project", env["project"], "--records", env["records"])
    assert res.exit_code == 0, res.output
    n = len(before)
    assert f"0 pushed, {n} already there" in res.output.replace("\n", " ")
    after = by_cid(admin, pushed)
    assert len(list(admin.examples(pushed))) == n
    assert {k: v["id"] for k, v in after.items()} == {k: v["id"] for k, v in before.items()}
    for cid, cats in cats_before.items():
        assert sorted(c["label"] for c in admin.categories(pushed, after[cid]["id"])) == cats
    # the confirmed state was read, never toggled
    assert {k for k, v in after.items() if v["is_confirmed"]} == CONFIRMED
    # with the local record gone, the server check alone prevents duplicates
    res = run("push", SUGGESTIONS, "--project", env["project"], "--records", tmp_path / "none")
    assert res.exit_code == 0, res.output
    assert len(list(admin.examples(pushed))) == n


def test_interrupted_push_resumes_without_duplicates(env, admin, codebook, scheme, suggestions,
                                                     tmp_path):
    name = f"test-resume-{RUN}"
    items = list(suggestions.values())[:12]
    project, created = ensure_project(admin, name, "guideline", "resume test")
    assert created
    ids = ensure_label_types(admin, project["id"], scheme)
    record = PushRecord(name, tmp_path)
    pusher = Pusher(admin, codebook, project, ids, record, scheme)

    def crash(n):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # interrupted after the first import of 5
        pusher.push(items, batch_size=5, progress=crash)
    assert len(record.load()) == 5  # the first batch was recorded
    assert len(list(admin.examples(project["id"]))) == 5
    # an example cut off while its labels were being added: push_state stays "labelling"
    victim = by_cid(admin, project["id"])[items[4].id]
    assert victim["meta"]["push_state"] == "done"
    admin.call("delete", f"projects/{project['id']}/examples/{victim['id']}/categories")
    admin.patch(f"projects/{project['id']}/examples/{victim['id']}",
                json={"meta": {**victim["meta"], "push_state": "labelling"}})
    result = Pusher(admin, codebook, project, ids, record, scheme).push(items, batch_size=5)
    assert len(result.created) == 7 and result.completed == [items[4].id]
    examples = by_cid(admin, project["id"])
    assert len(list(admin.examples(project["id"]))) == 12 and set(examples) == {
        s.id for s in items}
    assert len(admin.categories(project["id"], victim["id"])) == len(
        plan_labels(items[4], scheme).categories)
    assert set(record.load()) == {s.id for s in items}


def test_push_record_belongs_to_one_project_on_one_server(env, admin, suggestions, tmp_path):
    """A project created anew under the same name starts clean; a conversation deleted on the
    same project stays deleted."""
    name = f"test-recreate-{RUN}"
    f = tmp_path / "five.jsonl"
    f.write_text("".join(line + "\n" for line in SUGGESTIONS.read_text().splitlines()[:5]))
    res = run("push", f, "--project", name, "--records", tmp_path / "ann")
    assert res.exit_code == 0, res.output
    pid = next(p["id"] for p in admin.projects() if p["name"] == name)
    gone = next(iter(by_cid(admin, pid).values()))
    admin.call("delete", f"projects/{pid}/examples", json={"ids": [gone["id"]]})
    res = run("push", f, "--project", name, "--records", tmp_path / "ann")
    assert res.exit_code == 0, res.output
    assert "0 pushed, 4 already there" in res.output.replace("\n", " ")
    assert "1 conversations were pushed to this project before" in res.output.replace("\n", " ")
    admin.call("delete", f"projects/{pid}")
    res = run("push", f, "--project", name, "--records", tmp_path / "ann")
    assert res.exit_code == 0, res.output
    assert "5 pushed, 0 already there" in res.output.replace("\n", " ")


def test_pii_refused_and_not_reported_verbatim(admin, env, suggestions, tmp_path):
    s = suggestions["DA-001"]
    turns = [dict(t) for t in s.turns]
    turns[0]["text"] = "hoi ik ben Sanne Bakker, bel me op 06-12345678"
    rec = {"id": "PII-1", "year": 2024, "channel": "test", "turns": turns, "codes": [],
           "evidence": []}
    f = tmp_path / "pii.jsonl"
    f.write_text(json.dumps(rec) + "\n")
    name = f"test-pii-{RUN}"
    res = run("push", f, "--project", name, "--records", tmp_path)
    assert res.exit_code == 2
    out = res.output
    assert "PII-1" in out and "phone" in out and "person_name" in out
    assert "12345678" not in out and "Bakker" not in out
    pid = next(p["id"] for p in admin.projects() if p["name"] == name)
    assert list(admin.examples(pid)) == []
    res = run("push", f, "--project", name, "--records", tmp_path, "--allow-pii")
    assert res.exit_code == 0, res.output
    assert [e["meta"]["conversation_id"] for e in admin.examples(pid)] == ["PII-1"]


def test_wrong_project_type_and_bad_login_are_clear_errors(env, admin, monkeypatch):
    name = f"test-type-{RUN}"
    admin.post("projects", json={"name": name, "description": "x", "guideline": "x",
                                 "project_type": "DocumentClassification",
                                 "resourcetype": "TextClassificationProject"})
    res = run("push", SUGGESTIONS, "--project", name)
    assert res.exit_code == 1
    assert "DocumentClassification" in res.output and "IntentDetection" in res.output.replace(
        "\n", "")
    monkeypatch.setenv("DOCCANO_PASSWORD", "not-the-password-x9")
    res = run("pull", "--project", name, "-o", "/dev/null")
    assert res.exit_code == 1
    assert "login" in res.output and "not-the-password-x9" not in res.output


def test_add_coder_creates_an_annotator_with_a_password_from_the_environment(
        env, admin, pushed, monkeypatch):
    name = f"coder_{RUN}"
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("DOCCANO_CODER_PASSWORD", password)
    res = run("doccano", "add-coder", name, "--project", env["project"])
    assert res.exit_code == 0, res.output
    assert "created" in res.output and password not in res.output
    coder = Doccano(URL, name, password)
    members = {m["username"]: m for m in admin.members(pushed)}
    assert members[name]["rolename"] == "annotator"
    assert len(list(coder.examples(pushed))) == len(list(admin.examples(pushed)))
    res = run("doccano", "add-coder", name, "--project", env["project"])
    assert res.exit_code == 0 and "already existed" in res.output


def test_double_coding_sample_comes_back_with_both_coders_and_kappa(env, admin, suggestions,
                                                                    scheme, tmp_path,
                                                                    monkeypatch):
    from indicators.doccano.double import double_project, in_sample

    name = f"test-double-{RUN}"
    f = tmp_path / "forty.jsonl"
    f.write_text("".join(line + "\n" for line in SUGGESTIONS.read_text().splitlines()[:40]))
    ids = [json.loads(x)["id"] for x in f.read_text().splitlines()]
    sample = [c for c in ids if in_sample(name, c, 0.25)]
    assert 0 < len(sample) < len(ids)
    res = run("push", f, "--project", name, "--records", tmp_path, "--double-code", "25%")
    assert res.exit_code == 0, res.output
    assert f"double coding: {len(sample)} of 40" in " ".join(res.output.split())
    # the same sample on every run: nothing new to push
    res = run("push", f, "--project", name, "--records", tmp_path, "--double-code", "25%")
    flat = " ".join(res.output.split())
    assert f"{len(sample)} of 40" in flat and "(0 pushed now)" in flat
    second_name = double_project(name)
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("DOCCANO_CODER_PASSWORD", password)
    assert run("doccano", "add-coder", f"tweede_{RUN}", "--project", second_name).exit_code == 0
    second = Doccano(URL, f"tweede_{RUN}", password)
    pids = {p["name"]: p["id"] for p in admin.projects()}
    first_ex, second_ex = by_cid(admin, pids[name]), by_cid(second, pids[second_name])
    assert set(second_ex) == set(sample)
    # the second coder disagrees on one code of half the sample; both confirm everything
    cats = label_ids(second, pids[second_name], "category")
    for i, cid in enumerate(sample):
        admin.post(f"projects/{pids[name]}/examples/{first_ex[cid]['id']}/states")
        eid = second_ex[cid]["id"]
        if i % 2 == 0:
            second.post(f"projects/{pids[second_name]}/examples/{eid}/categories",
                        json={"label": cats[scheme.code_category("lvb").text]})
        second.post(f"projects/{pids[second_name]}/examples/{eid}/states")
    out = tmp_path / "pulled.jsonl"
    res = run("pull", "--project", name, "-o", out, "--records", tmp_path)
    assert res.exit_code == 0, res.output
    pairs = [json.loads(x) for x in (tmp_path / "pulled.dubbel.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in pairs) == sorted(sample * 2)
    assert {r["review"]["coder"] for r in pairs} == {admin.username, f"tweede_{RUN}"}
    agreement = tmp_path / "agreement.json"
    res = run("agreement", tmp_path / "pulled.dubbel.jsonl", "--json", agreement,
              "--bootstrap", "20")
    assert res.exit_code == 0, res.output
    coders = json.loads(agreement.read_text())["coders"]
    assert coders["double_coded_conversations"] == len(sample)
    lvb = coders["codes"]["lvb"]["pairs"][0]
    n_lvb = len(range(0, len(sample), 2))
    # the first coder never used lvb, the second in n_lvb of the sample: kappa 0 (no agreement
    # beyond chance) unless every unit disagrees
    assert lvb["kappa"] == pytest.approx(0.0) or n_lvb == len(sample)
    assert coders["codes"]["sextortion"]["pairs"][0]["kappa"] in (1.0, None)
    for p in admin.projects():
        if p["name"] in (name, second_name):
            admin.call("delete", f"projects/{p['id']}")
