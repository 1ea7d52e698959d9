"""Renderers: each a pure function from reports to text."""
