"""Invoice pricing: rate table and line arithmetic."""
