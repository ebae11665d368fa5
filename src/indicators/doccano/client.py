"""A doccano connection from the environment, with timeouts, retries and clear errors.

Credentials come only from ``DOCCANO_URL``, ``DOCCANO_USERNAME`` and ``DOCCANO_PASSWORD`` and are
never printed or logged. Error messages name the endpoint and the HTTP status, never a response
body (which could echo transcript text).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import requests
from doccano_client import DoccanoClient
from doccano_client.exceptions import DoccanoAPIError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT = (5, 60)  # connect, read seconds
PAGE = 200


class DoccanoError(RuntimeError):
    """Talking to doccano failed; the message is safe to show."""


class _TimeoutAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT
        return super().send(request, **kwargs)


def _retry() -> Retry:
    # Connection errors are retried for every method (the request never reached the server);
    # read errors and 5xx only for idempotent methods: a POST (a new label, or the example state,
    # which toggles) is never sent twice.
    return Retry(total=5, connect=3, read=2, status=3, backoff_factor=0.5,
                 status_forcelist=(502, 503, 504),
                 allowed_methods=frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}),
                 raise_on_status=False)


def credentials() -> tuple[str, str, str]:
    url = os.environ.get("DOCCANO_URL") or DEFAULT_URL
    user = os.environ.get("DOCCANO_USERNAME")
    password = os.environ.get("DOCCANO_PASSWORD")
    if not user or not password:
        raise DoccanoError("set DOCCANO_USERNAME and DOCCANO_PASSWORD (and DOCCANO_URL) "
                           "in the environment")
    return url, user, password


class Doccano:
    """A logged-in session: doccano-client for the typed calls, plus paged raw calls."""

    def __init__(self, url: str, username: str, password: str):
        self.url = url.rstrip("/")
        self.client = DoccanoClient(self.url)
        self._repo = self.client._base_repository
        adapter = _TimeoutAdapter(max_retries=_retry())
        self._repo._session.mount("http://", adapter)
        self._repo._session.mount("https://", adapter)
        try:
            self.client.login(username, password)
        except DoccanoAPIError as e:
            status = getattr(e.response, "status_code", "?")
            if status in (400, 401, 403):
                raise DoccanoError(f"login to doccano at {self.url} failed: wrong username or "
                                   "password (DOCCANO_USERNAME / DOCCANO_PASSWORD)") from None
            raise DoccanoError(f"login to doccano at {self.url} failed (HTTP {status})") from None
        except requests.RequestException:
            raise DoccanoError(f"no doccano server answers at {self.url}; start one with "
                               "`indicators doccano serve` or set DOCCANO_URL") from None
        self.username = username

    @classmethod
    def from_env(cls) -> Doccano:
        return cls(*credentials())

    # --- raw calls with safe errors ----------------------------------------------------------
    def call(self, method: str, resource: str, **kwargs) -> Any:
        url = resource if resource.startswith("http") else f"{self.url}/v1/{resource}"
        try:
            response = self._repo._session.request(method.upper(), url, **kwargs)
        except requests.RequestException as e:
            raise DoccanoError(f"doccano {method.upper()} {_path(url)} failed: "
                               f"{type(e).__name__} (is the server at {self.url} running?)"
                               ) from None
        if response.status_code >= 400:
            raise DoccanoError(f"doccano {method.upper()} {_path(url)} failed "
                               f"(HTTP {response.status_code})")
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def get(self, resource: str, **kwargs) -> Any:
        return self.call("get", resource, **kwargs)

    def post(self, resource: str, **kwargs) -> Any:
        return self.call("post", resource, **kwargs)

    def patch(self, resource: str, **kwargs) -> Any:
        return self.call("patch", resource, **kwargs)

    def upload_file(self, name: str, content: bytes) -> str:
        """Upload a file for doccano's import (filepond); its upload id."""
        url = f"{self.url}/v1/fp/process/"
        try:
            response = self._repo._session.post(url, files={"filepond": (name, content)},
                                                headers={"Accept": "*/*", "Content-Type": None})
        except requests.RequestException as e:
            raise DoccanoError(f"doccano POST /v1/fp/process/ failed: {type(e).__name__}"
                               ) from None
        if response.status_code >= 400:
            raise DoccanoError(f"doccano POST /v1/fp/process/ failed "
                               f"(HTTP {response.status_code})")
        return response.content.decode().strip()

    def paged(self, resource: str, params: dict | None = None) -> Iterator[dict]:
        params = dict(params or {})
        params.setdefault("limit", PAGE)
        offset = 0
        while True:
            page = self.get(resource, params={**params, "offset": offset})
            results = page["results"] if isinstance(page, dict) else page
            yield from results
            if not isinstance(page, dict) or not page.get("next") or not results:
                return
            offset += len(results)

    # --- the calls push and pull use ---------------------------------------------------------
    def projects(self) -> list[dict]:
        return list(self.paged("projects"))

    def examples(self, project_id: int, confirmed: bool | None = None) -> Iterator[dict]:
        params = {} if confirmed is None else {"confirmed": str(confirmed).lower()}
        return self.paged(f"projects/{project_id}/examples", params)

    def label_types(self, project_id: int, kind: str) -> list[dict]:
        return self.get(f"projects/{project_id}/{kind}-types")

    def categories(self, project_id: int, example_id: int) -> list[dict]:
        return self.get(f"projects/{project_id}/examples/{example_id}/categories")

    def spans(self, project_id: int, example_id: int) -> list[dict]:
        return self.get(f"projects/{project_id}/examples/{example_id}/spans")

    def states(self, project_id: int, example_id: int) -> list[dict]:
        res = self.get(f"projects/{project_id}/examples/{example_id}/states")
        return res["results"] if isinstance(res, dict) else res

    def members(self, project_id: int) -> list[dict]:
        return self.get(f"projects/{project_id}/members")

    def users(self) -> list[dict]:
        return self.get("users")


def _path(url: str) -> str:
    """The endpoint of a URL without host or query, e.g. ``/v1/projects/3/examples``."""
    path = url.split("?")[0]
    return path[path.find("/v1/"):] if "/v1/" in path else path
