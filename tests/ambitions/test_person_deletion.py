"""Deleting a person keeps their figures and history (who entered them becomes unknown), and finds
those rows through an index instead of scanning the figure tables (Figure.entered_by and
FigureChange.changed_by are SET_NULL keys without a database constraint)."""

from django.db import connection

from ambitions.models import Figure, FigureChange
from tests.measures import Measures, enter_count


def leading_index_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in constraints.values() if c["index"] and c["columns"]}


def test_the_person_keys_of_the_figure_tables_are_indexed(db):
    assert "entered_by_id" in leading_index_columns(Figure._meta.db_table)
    assert "changed_by_id" in leading_index_columns(FigureChange._meta.db_table)


def test_deleting_a_person_keeps_their_figures_and_history(measures: Measures):
    w = measures.world
    enter_count(measures, w.unit_a, measures.period, "300")
    figure = Figure.objects.get(indicator=measures.count, unit=w.unit_a, period=measures.period.start)
    person = figure.entered_by
    assert person is not None and FigureChange.objects.filter(changed_by=person).exists()

    person.delete()

    figure.refresh_from_db()
    assert figure.entered_by is None and figure.value == 300
    assert FigureChange.objects.filter(figure=figure, changed_by__isnull=True).exists()
