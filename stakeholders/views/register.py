"""The stakeholder register: list, power/interest grid, a stakeholder's page, its contact log."""

routes: list = []
