"""The ambitions domain's operations. Views, the API and tasks call these; none writes figures itself."""
