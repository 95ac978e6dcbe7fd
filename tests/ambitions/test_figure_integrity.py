"""Figures have no foreign key constraints in the database (see ambitions/models/figures.py):
Django's on_delete rules keep them consistent, and these tests hold it to that."""

import pytest
from django.db.models import ProtectedError

from ambitions.models import Figure, FigureChange, Indicator
from ambitions.services.entry import CellInput, save_cell


def test_a_unit_or_version_with_figures_cannot_be_deleted(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="12"))

    with pytest.raises(ProtectedError):
        w.unit_a.delete()
    with pytest.raises(ProtectedError):
        m.count_v1.delete()
    assert Figure.objects.filter(unit=w.unit_a).count() == 1


def test_a_person_who_entered_figures_can_be_deleted_and_the_figures_stay(measures):
    m, w = measures, measures.world
    figure = save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="12"))

    w.contributor_a.delete()

    figure.refresh_from_db()
    assert figure.entered_by is None
    assert FigureChange.objects.get(figure=figure).changed_by is None


def test_deleting_an_indicator_without_figures_leaves_other_figures_alone(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="12"))
    spare = Indicator.objects.create(ambition=m.ambition, name="Ongebruikt", position=9)

    spare.delete()

    assert Figure.objects.filter(indicator=m.count).count() == 1
