"""Contributions: committed against delivered, per chain and per partner."""

routes: list = []
