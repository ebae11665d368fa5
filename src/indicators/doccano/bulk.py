"""Bulk import through doccano's own import API: upload a JSONL file, let the task queue import it.

One upload per chunk (``POST /v1/fp/process/``), one import task (``POST
/v1/projects/<id>/upload`` with format JSONL), then the task status is polled
(``/v1/tasks/status/<id>``). Examples, categories (``cats``) and spans (``entities``) are created
in bulk by doccano, all attributed to the pushing account.
"""

from __future__ import annotations

import json
import time

from .client import Doccano, DoccanoError

TASK = "IntentDetectionAndSlotFilling"
WAIT_SECONDS = 600.0


def import_examples(dc: Doccano, project_id: int, lines: list[dict],
                    wait_seconds: float = WAIT_SECONDS) -> None:
    """Import ``lines`` (``text``, ``cats``, ``entities`` and meta keys) and wait for doccano."""
    if lines:
        wait_for(dc, start_import(dc, project_id, lines), wait_seconds)


def start_import(dc: Doccano, project_id: int, lines: list[dict]) -> str:
    """Upload ``lines`` and start doccano's import task; its task id."""
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    upload_id = dc.upload_file("push.jsonl", body.encode("utf-8"))
    res = dc.post(f"projects/{project_id}/upload",
                  json={"uploadIds": [upload_id], "task": TASK, "format": "JSONL",
                        "column_data": "text", "column_label": "label"})
    return res["task_id"]


def wait_for(dc: Doccano, task_id: str, wait_seconds: float = WAIT_SECONDS) -> None:
    """Wait until doccano's import task is done; an error names lines, never text."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while time.monotonic() < deadline:
        status = dc.get(f"tasks/status/{task_id}")
        if status.get("ready"):
            errors = (status.get("result") or {}).get("error") or []
            if status.get("error") or errors:
                # the error objects name file and line; never their text
                where = ", ".join(f"line {e.get('line')}" for e in errors[:5]
                                  if isinstance(e, dict))
                raise DoccanoError(f"doccano refused part of the import ({len(errors)} errors"
                                   f"{': ' + where if where else ''})")
            return
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)
    raise DoccanoError(f"the doccano import task did not finish within {wait_seconds:.0f} s; "
                       "is its task queue (doccano task) running?")
