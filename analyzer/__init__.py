"""lambda-analyzer: what breaks when a Lambda Python function moves to a newer runtime."""

from __future__ import annotations

__version__ = "0.1.0"
