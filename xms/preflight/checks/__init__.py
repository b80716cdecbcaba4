"""The preflight checks, one module per category."""
