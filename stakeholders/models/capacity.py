"""Capacity self-assessments: can each core partner deliver its part (people, money, data and IT,
mandate, knowledge)."""
