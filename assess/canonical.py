"""Canonical JSON and content hashes: the same data always gives the same bytes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Sorted keys, shortest round-trip floats, UTF-8 text, a final newline when indented."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=indent,
                      separators=(",", ": ") if indent is not None else (",", ":"))
    return text + "\n" if indent is not None else text


def digest(data: Any) -> str:
    """A short, stable content hash of plain data or a model."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", by_alias=True, exclude_none=True)
    return "sha256:" + hashlib.sha256(dumps(data, indent=None).encode()).hexdigest()[:16]
