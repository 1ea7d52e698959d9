"""What every renderer takes: the reports and one set of rendering options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from analyzer.models import FunctionReport

DEFAULT_WIDTH = 100
"""Columns of terminal output when the caller does not say."""


@dataclass(frozen=True)
class RenderOptions:
    """Choices the caller makes for a rendering; a format ignores those it has no use for."""

    width: int | None = None
    """Columns for terminal formats; ``None`` means ``DEFAULT_WIDTH``."""
    color: bool = False
    """Whether terminal formats emit ANSI colour codes."""
    generated_at: str | None = None
    """When the reports were made (ISO 8601), recorded by formats that carry metadata."""
    catalogue_version: str | None = None
    """Version of the rules catalogue the findings came from, when known."""

    @property
    def columns(self) -> int:
        """The width to lay text out in."""
        return self.width if self.width is not None else DEFAULT_WIDTH


DEFAULT_OPTIONS = RenderOptions()
"""Options of a rendering whose caller chose none."""


class Renderer(Protocol):
    """A format's ``render`` function: reports in, text out, no I/O."""

    def __call__(
        self, reports: Sequence[FunctionReport], *, options: RenderOptions = ...
    ) -> str: ...
