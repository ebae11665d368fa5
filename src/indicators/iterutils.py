"""Small iteration helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Lists of up to ``n`` items, in order (``itertools.batched`` arrives in Python 3.12)."""
    it = iter(items)
    while chunk := list(islice(it, max(1, n))):
        yield chunk
