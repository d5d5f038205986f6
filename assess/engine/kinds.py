"""The contract of a kind (a fact type, a scoring kind): an abstract model whose concrete
subclasses register themselves where they are defined.

A kind's base class declares as abstract methods everything the commands call on a kind. A
concrete subclass that does not provide one of them is refused when its class statement runs (at
import, not at the first command that needs it), with the names of what it lacks. A subclass that
lists ``ABC`` among its own bases is abstract: it is neither checked nor registered. A field typed
with ``OneOf`` holds one of a registry's kinds; its union is built when its model is first used
(``Strict`` defers building), so every kind registered by then is a member.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema

K = TypeVar("K", bound=type)


def concrete(cls: type, what: str) -> bool:
    """Whether ``cls`` is a concrete kind; raises TypeError naming what a concrete kind lacks."""
    if ABC in cls.__bases__:
        return False
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        raise TypeError(f"{cls.__module__}.{cls.__qualname__} is not a complete {what}: it does not define "
                        f"{', '.join(missing)} (see CONTRIBUTING.md)")
    return True


def register(registry: dict[str, K], key: str, cls: K, what: str) -> None:
    """Add ``cls`` to ``registry`` under ``key``, refusing a key that another kind has."""
    if key in registry:
        raise TypeError(f"{cls.__module__}.{cls.__qualname__}: the {what} '{key}' is "
                        f"{registry[key].__module__}.{registry[key].__qualname__} already")
    registry[key] = cls


@dataclass(frozen=True)
class OneOf:
    """``Annotated[Base, OneOf(union)]``: a field holding one of a registry's kinds, validated as the
    union ``union()`` returns when the model is built."""

    union: Callable[[], Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler.generate_schema(self.union())
