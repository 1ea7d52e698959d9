"""Source analysis: the catalogue of stdlib changes and the rules that read code."""
