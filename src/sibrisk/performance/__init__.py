"""Performance goals, monitoring and evaluation (placeholder)."""
