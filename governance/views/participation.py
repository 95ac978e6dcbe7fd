"""Participation health: per partner, where its part in the chain's work is slipping."""

routes: list = []
