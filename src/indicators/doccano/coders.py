"""Coder accounts: create a doccano user and make them an annotator of a project."""

from __future__ import annotations

from .client import Doccano, DoccanoError
from .project import find_project


def add_coder(dc: Doccano, name: str, password: str, email: str | None = None,
              project: str | None = None) -> tuple[bool, bool]:
    """(created, made a member). The password goes in the request body only."""
    users = {u["username"]: u for u in dc.users()}
    created = name not in users
    if created:
        dc.post("users/create", json={"username": name, "email": email or f"{name}@example.org",
                                      "password1": password, "password2": password})
        users = {u["username"]: u for u in dc.users()}
    if project is None:
        return created, False
    found = find_project(dc, project)
    if found is None:
        raise DoccanoError(f"doccano has no project named {project!r}")
    members = {m["user"] for m in dc.members(found["id"])}
    uid = users[name]["id"]
    if uid not in members:
        roles = {r["name"]: r["id"] for r in dc.get("roles")}
        dc.post(f"projects/{found['id']}/members", json={"user": uid,
                                                         "role": roles["annotator"]})
    return created, True
