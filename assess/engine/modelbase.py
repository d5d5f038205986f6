"""What every file-format model is built from: the strict base class, shared field types, and
the keyed union that lets a mapping's key choose its model (``{all: ...}``, ``{levels: ...}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
GoalId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=32)]
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]  # blank text says nothing
# Weights are relative; below a thousandth a child is indistinguishable from one left out, and a
# weight such as 5e-324 would silently turn a scored level into "insufficient data".
Weight = Annotated[float, Field(ge=0.001, le=1000, allow_inf_nan=False)]
Score = Annotated[float, Field(ge=0, le=100)]
RawScalar = str | int | float | bool
RawValue = RawScalar | list[RawScalar]
Direction = Literal["higher", "lower"]


class Strict(BaseModel):
    """Unknown keys are errors; models are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def keyed_union(default: str, members: Mapping[str, type[BaseModel]]) -> Any:
    """A union whose member is named by the first of its keys a mapping has.

    Tags are bracketed (``<all>``) so that in error locations they never look like data keys.
    """
    by_type = {model: key for key, model in members.items()}

    def kind(value: Any) -> str:
        if isinstance(value, BaseModel):
            return f"<{by_type.get(type(value), default)}>"
        keys = value.keys() if isinstance(value, dict) else ()
        return f"<{next((key for key in members if key in keys), default)}>"

    tagged = tuple(Annotated[model, Tag(f"<{key}>")] for key, model in members.items())
    return Annotated[Union[tagged], Discriminator(kind)]  # noqa: UP007 (a union built at run time)
