"""Forms of the ambitions app, one module per subject."""
