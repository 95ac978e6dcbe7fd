"""Forms of the stakeholders app, one module per subject."""
