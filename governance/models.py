"""Bodies, meetings, decisions and agreements: built in a later issue (see docs/architecture.md)."""
