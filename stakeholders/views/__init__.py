"""HTML views of the stakeholders app, one module per subject (see urls.py)."""
