"""Ambitions, indicators and figures: built in the indicators issue (see docs/architecture.md)."""
