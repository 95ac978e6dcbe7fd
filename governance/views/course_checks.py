"""Course checks: the list, answering, the statements, the results."""

routes: list = []
