"""One definition of "a figure holds data", in Python, as a queryset filter and in SQL: all three
read every combination of empty and filled value, numerator and denominator the same way."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.db import connection

from ambitions.models import Figure
from ambitions.models.figures import has_data_sql, holds_data
from ambitions.services.aggregates import counted_sql
from ambitions.services.bulk.check import Stored
from ambitions.services.entry import CleanCell

CASES = list(itertools.product([None, Decimal(3)], repeat=3))  # (value, numerator, denominator)


def _store_every_case(measures) -> dict[int, tuple]:
    w = measures.world
    unit = w.unit_a
    figures = {}
    for offset, (value, numerator, denominator) in enumerate(CASES):
        figure = Figure.objects.create(
            indicator=measures.share,
            version=measures.share_v1,
            unit=unit,
            organisation_id=unit.organisation_id,
            period=date(2024, 1 + offset, 1),
            value=value,
            numerator=numerator,
            denominator=denominator,
        )
        figures[figure.pk] = (value, numerator, denominator)
    return figures


def test_it_reads_has_data_the_same_in_python_the_queryset_and_sql(measures):
    figures = _store_every_case(measures)
    in_python = {pk for pk, case in figures.items() if holds_data(*case)}

    assert {f.pk for f in Figure.objects.filter(pk__in=figures) if f.has_data} == in_python
    assert set(Figure.objects.filter(pk__in=figures).with_data().values_list("pk", flat=True)) == in_python
    with connection.cursor() as cursor:
        # The condition the roll-ups and the bulk upsert count with, with and without a table alias.
        cursor.execute(f"SELECT f.id FROM {Figure._meta.db_table} f WHERE {counted_sql('f')}")  # noqa: S608
        assert {pk for (pk,) in cursor.fetchall()} & set(figures) == in_python
        cursor.execute(f"SELECT id FROM {Figure._meta.db_table} WHERE {has_data_sql()}")  # noqa: S608
        assert {pk for (pk,) in cursor.fetchall()} & set(figures) == in_python


def test_it_reads_has_data_the_same_for_a_typed_cell_and_a_stored_row():
    for value, numerator, denominator in CASES:
        expected = value is not None or (numerator is not None and denominator is not None)
        assert holds_data(value, numerator, denominator) is expected
        assert CleanCell(value, numerator, denominator, "", False).has_data is expected
        assert Stored(1, value, numerator, denominator, "", False, 1, False).has_data is expected
