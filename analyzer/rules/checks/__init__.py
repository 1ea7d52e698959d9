"""Visitor rules: one file each, found by the engine without a list to edit."""
