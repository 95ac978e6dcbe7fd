"""Views of the ambitions app; each module declares its routes (ambitions/urls.py)."""
