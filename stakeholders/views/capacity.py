"""Capacity self-assessments: the chain's partners × dimensions with trend, assessing."""

routes: list = []
