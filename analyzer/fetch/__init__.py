"""Getting a function's bytes onto disk: local input, AWS, downloads, archives."""
