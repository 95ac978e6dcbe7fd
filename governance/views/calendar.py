"""Routes of this module are joined in governance/urls.py."""

routes: list = []
