"""Runtime settings read from infrastructure templates."""
