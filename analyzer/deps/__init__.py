"""Pinned and vendored dependencies against the package index for a target runtime."""
