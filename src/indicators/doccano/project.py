"""Find or create the review project and its label types in doccano."""

from __future__ import annotations

from dataclasses import dataclass

from .client import Doccano, DoccanoError
from .labels import CATEGORY, SPAN, LabelScheme, LabelSpec

PROJECT_TYPE = "IntentDetectionAndSlotFilling"
RESOURCE_TYPE = "IntentDetectionAndSlotFillingProject"


@dataclass
class LabelIds:
    """doccano label type ids by label text, and back."""

    category: dict[str, int]
    span: dict[str, int]

    def texts(self, kind: str) -> dict[int, str]:
        return {v: k for k, v in (self.category if kind == CATEGORY else self.span).items()}


def find_project(dc: Doccano, name: str) -> dict | None:
    found = [p for p in dc.projects() if p.get("name") == name]
    if len(found) > 1:
        raise DoccanoError(f"doccano has {len(found)} projects named {name!r}; rename one")
    if not found:
        return None
    project = found[0]
    if project.get("project_type") != PROJECT_TYPE:
        raise DoccanoError(
            f"doccano project {name!r} is of type {project.get('project_type')}, not "
            f"{PROJECT_TYPE} (spans + document categories); use another project name")
    return project


def ensure_project(dc: Doccano, name: str, guideline: str, description: str) -> tuple[dict, bool]:
    """The project (created if missing) and whether it was created."""
    project = find_project(dc, name)
    if project is None:
        body = {
            "name": name, "description": description, "guideline": guideline,
            "project_type": PROJECT_TYPE, "resourcetype": RESOURCE_TYPE,
            "random_order": False, "collaborative_annotation": True,
            "single_class_classification": False, "tags": [],
        }
        return dc.post("projects", json=body), True
    changes = {}
    if not project.get("collaborative_annotation"):
        changes["collaborative_annotation"] = True
    if project.get("guideline") != guideline:
        changes["guideline"] = guideline
    if changes:
        project = dc.patch(f"projects/{project['id']}",
                           json={**changes, "resourcetype": RESOURCE_TYPE})
    return project, False


def ensure_label_types(dc: Doccano, project_id: int, scheme: LabelScheme) -> LabelIds:
    """Create the label types the project lacks; bring the keys and colours of those that exist
    (matched by text) in line with the scheme. Keys are first taken off every type that should
    not have its key (older projects gave context values keys that clash), then set."""
    ids = {}
    specs_by_kind = {CATEGORY: scheme.categories, SPAN: scheme.spans}
    existing = {kind: {t["text"]: t for t in dc.label_types(project_id, kind)}
                for kind in specs_by_kind}
    wanted = {(kind, s.text): s for kind, specs in specs_by_kind.items() for s in specs}
    for kind, types in existing.items():
        for text, t in types.items():
            spec = wanted.get((kind, text))
            want_key = (spec.prefix_key, spec.suffix_key) if spec else (None, None)
            if t.get("suffix_key") and (t.get("prefix_key"), t.get("suffix_key")) != want_key:
                types[text] = dc.patch(f"projects/{project_id}/{kind}-types/{t['id']}",
                                       json={"prefix_key": None, "suffix_key": None})
    for kind, specs in specs_by_kind.items():
        types = existing[kind]
        for spec in specs:
            body = _label_body(spec)
            t = types.get(spec.text)
            if t is None:
                types[spec.text] = dc.post(f"projects/{project_id}/{kind}-types", json=body)
            elif any(t.get(k) != v for k, v in body.items()):
                types[spec.text] = dc.patch(f"projects/{project_id}/{kind}-types/{t['id']}",
                                            json=body)
        ids[kind] = {text: t["id"] for text, t in types.items()}
    return LabelIds(ids[CATEGORY], ids[SPAN])


def _label_body(spec: LabelSpec) -> dict:
    return {
        "text": spec.text,
        "prefix_key": spec.prefix_key,
        "suffix_key": spec.suffix_key,
        "background_color": spec.color,
        "text_color": spec.text_color,
    }
