"""setup pages of the ambitions app (see ambitions/urls.py)."""

routes: list = []
