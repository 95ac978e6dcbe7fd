"""The parts of the authorisation matrix; the matrix itself, and how to add a page to it, are in
tests/test_authorisation_matrix.py."""
