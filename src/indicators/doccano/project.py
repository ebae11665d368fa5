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
    """Create the label types the project lacks; keep those that exist (matched by text)."""
    ids = {}
    for kind, specs in ((CATEGORY, scheme.categories), (SPAN, scheme.spans)):
        existing = {t["text"]: t for t in dc.label_types(project_id, kind)}
        keys = {(t.get("prefix_key"), t.get("suffix_key")) for t in existing.values()
                if t.get("suffix_key")}
        for spec in specs:
            if spec.text in existing:
                continue
            key = (spec.prefix_key, spec.suffix_key)
            body = _label_body(spec, with_key=spec.suffix_key is not None and key not in keys)
            existing[spec.text] = dc.post(f"projects/{project_id}/{kind}-types", json=body)
            keys.add(key)
        ids[kind] = {text: t["id"] for text, t in existing.items()}
    return LabelIds(ids[CATEGORY], ids[SPAN])


def _label_body(spec: LabelSpec, with_key: bool) -> dict:
    return {
        "text": spec.text,
        "prefix_key": spec.prefix_key if with_key else None,
        "suffix_key": spec.suffix_key if with_key else None,
        "background_color": spec.color,
        "text_color": spec.text_color,
    }
