"""The decision register (besluitenlijst): every decision of the chain with body, date, outcome,
positions per partner (dissent marked), review date and meeting; filters by body, year, outcome
and partner (a bad value is a message at its field, never a 500); pages of a constant number of
queries; CSV and XLSX export with what a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.models import (
    Body,
    BodyLevel,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionStatus,
    DecisionWay,
    Meeting,
    PositionKind,
)
from governance.services import governance_revision
from governance.services import register as registry
from tests.conftest import without_session_reads
from tests.governance.decision_fixtures import build_board, decide, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def register_url(chain, **query) -> str:
    return reverse("governance:decision_list", args=[chain.slug], query=query or None)


def export_url(chain, fmt: str, **query) -> str:
    return reverse("governance:decision_export", args=[chain.slug, fmt], query=query or None)


def closed(board, title: str, status: str, decided_on: date, **fields) -> Decision:
    """A decision as it stands after closing, written directly (the steps are tested elsewhere)."""
    return Decision.objects.create(
        body=fields.pop("body", board.body),
        title=title,
        text="Voorstel",
        closes_on=decided_on,
        status=status,
        decided_on=decided_on,
        outcome_statement="Besloten",
        proposed_by=board.world.manager,
        **fields,
    )


def titles(response) -> list[str]:
    return [decision.title for decision in response.context["page"].object_list]


@pytest.fixture
def filed(board):
    """Decisions over two years and two bodies; one with recorded dissent of the OM."""
    w = board.world
    tactical = Body.objects.create(chain=w.chain, name="Tactisch overleg", level=BodyLevel.TACTICAL)
    start = timezone.make_aware(timezone.datetime(2025, 3, 10, 14, 0))
    meeting = Meeting.objects.create(body=board.body, starts_at=start, ends_at=start + timedelta(hours=2))
    capacity = closed(board, "Capaciteit", DecisionStatus.ADOPTED, date(2025, 3, 10), meeting=meeting)
    capacity.review_on = date(2026, 3, 10)
    capacity.save()
    DecisionPosition.objects.create(
        decision=capacity, partnership=w.partner_a, kind=PositionKind.CONSENT, recorded_by=w.lead_a
    )
    DecisionPosition.objects.create(
        decision=capacity,
        partnership=w.partner_b,
        kind=PositionKind.DISSENT,
        reason="Reclassering heeft te weinig mensen",
        recorded_by=w.lead_b,
    )
    closed(board, "Intake", DecisionStatus.REJECTED, date(2025, 11, 1), body=tactical)
    closed(board, "Werkwijze", DecisionStatus.WITHDRAWN, date(2024, 6, 1))
    return {"capacity": capacity, "tactical": tactical}


def test_it_lists_every_decision_newest_first_with_dissent_marked(board, client_for, filed):
    w = board.world
    response = client_for(w.viewer).get(register_url(w.chain))
    assert response.status_code == 200
    assert titles(response) == ["Intake", "Capaciteit", "Werkwijze"]
    assert "Reclassering heeft te weinig mensen" in response.text
    assert "kp-flag--dissent" in response.text
    assert reverse("governance:decision_detail", args=[w.chain.slug, filed["capacity"].pk]) in response.text


def test_it_files_an_open_decision_under_its_closing_date(board, client_for, filed):
    w = board.world
    decision = propose(board)  # closes in two weeks: the newest in the register
    assert titles(client_for(w.viewer).get(register_url(w.chain)))[0] == decision.title


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"jaar": "2025"}, ["Intake", "Capaciteit"]),
        ({"jaar": "2024"}, ["Werkwijze"]),
        ({"uitkomst": "adopted"}, ["Capaciteit"]),
        ({"uitkomst": "withdrawn"}, ["Werkwijze"]),
        ({"jaar": "2025", "uitkomst": "rejected"}, ["Intake"]),
    ],
)
def test_it_filters_by_year_and_outcome(board, client_for, filed, query, expected):
    assert titles(client_for(board.world.viewer).get(register_url(board.world.chain, **query))) == expected


def test_it_files_as_the_model_says(board, filed):
    """The database's filed_on (REGISTER_DATE) and Decision.register_date are one rule."""
    propose(board)
    for decision in Decision.objects.all():
        assert decision.filed_on == decision.register_date, decision.title
    assert Decision.objects.filter(chain=board.world.chain).count() == Decision.objects.count()


def test_it_filters_by_body_and_partner(board, client_for, filed):
    w = board.world
    client = client_for(w.viewer)
    assert titles(client.get(register_url(w.chain, gremium=filed["tactical"].pk))) == ["Intake"]
    assert titles(client.get(register_url(w.chain, partner=w.partner_b.pk))) == ["Capaciteit"]
    assert titles(client.get(register_url(w.chain, partner=board.court.pk))) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jaar", "twintig"),
        ("jaar", "1850"),
        ("jaar", "99999999999999999999"),
        ("uitkomst", "approved"),
        ("gremium", "abc"),
        ("gremium", "-1"),
        ("partner", "1.5"),
        ("partner", "\x00"),
    ],
)
def test_it_says_which_filter_value_it_does_not_know(board, client_for, filed, name, value):
    w = board.world
    response = client_for(w.viewer).get(register_url(w.chain, **{name: value}))
    assert response.status_code == 422
    assert response.context["form"].errors[name]
    assert response.context["page"] is None
    export = client_for(w.viewer).get(export_url(w.chain, "csv", **{name: value}))
    assert export.status_code == 400


def test_it_does_not_filter_by_another_chains_body_or_partner(board, client_for, filed):
    w = board.world
    other_body = Body.objects.create(chain=w.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    client = client_for(w.viewer)
    assert client.get(register_url(w.chain, gremium=other_body.pk)).status_code == 422
    assert client.get(register_url(w.chain, partner=w.partner_c.pk)).status_code == 422


def test_it_shows_only_the_chains_own_decisions(board, client_for, filed):
    w = board.world
    other_body = Body.objects.create(chain=w.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    closed(board, "Jeugdbesluit", DecisionStatus.ADOPTED, date(2025, 5, 1), body=other_body)
    assert "Jeugdbesluit" not in titles(client_for(w.viewer).get(register_url(w.chain)))
    assert client_for(w.outsider).get(register_url(w.chain)).status_code == 404


def test_it_pages_and_keeps_the_filters(board, client_for):
    w = board.world
    for day in range(registry.PER_PAGE + 3):
        closed(board, f"Besluit {day:02}", DecisionStatus.ADOPTED, date(2025, 1, 1) + timedelta(days=day))
    client = client_for(w.viewer)
    first = client.get(register_url(w.chain, uitkomst="adopted"))
    assert len(titles(first)) == registry.PER_PAGE
    assert "uitkomst=adopted&amp;pagina=2" in first.text
    second = client.get(register_url(w.chain, uitkomst="adopted", pagina="2"))
    assert titles(second) == ["Besluit 02", "Besluit 01", "Besluit 00"]
    assert client.get(register_url(w.chain, pagina="zeven")).status_code == 200


def _fill(board, count: int, offset: int = 0) -> None:
    """``count`` decisions, each with two positions and a meeting (what a row reads)."""
    w = board.world
    start = timezone.make_aware(timezone.datetime(2025, 1, 6, 10, 0))
    for number in range(offset, offset + count):
        body = Body.objects.create(chain=w.chain, name=f"Overleg {number}", level=BodyLevel.OPERATIONAL)
        BodyMember.objects.create(body=body, person=w.lead_a, partnership=w.partner_a)
        meeting = Meeting.objects.create(body=body, starts_at=start, ends_at=start + timedelta(hours=1))
        decision = closed(
            board, f"Besluit {number}", DecisionStatus.ADOPTED, date(2025, 2, 1), body=body, meeting=meeting
        )
        for partnership, kind in ((w.partner_a, PositionKind.CONSENT), (w.partner_b, PositionKind.DISSENT)):
            DecisionPosition.objects.create(
                decision=decision, partnership=partnership, kind=kind, reason="Krap", recorded_by=w.lead_a
            )


def test_it_reads_a_filtered_first_page_in_a_constant_number_of_queries(board, client_for, max_page_queries):
    w = board.world
    client = client_for(w.viewer)
    url = register_url(w.chain, jaar="2025", uitkomst="adopted", partner=w.partner_b.pk)
    _fill(board, 3)
    client.get(url)
    governance_revision.bump([w.chain.pk])  # built afresh, not the part kept (tests/governance/test_kept_parts.py)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    budget = len(without_session_reads(few.captured_queries))
    _fill(board, registry.PER_PAGE + 10, offset=3)
    with max_page_queries(budget):
        response = client.get(url)
    assert len(titles(response)) == registry.PER_PAGE
    assert budget <= 16, f"{budget} queries"


def test_it_exports_the_filtered_register_as_csv(board, client_for, filed):
    w = board.world
    response = client_for(w.viewer).get(export_url(w.chain, "csv", jaar="2025"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="zsm-besluitenlijst-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["Intake", "Capaciteit"]
    capacity = rows[2]
    assert capacity[0] == "2025-03-10" and capacity[7] == "2025-03-10" and capacity[11] == "2026-03-10"
    assert capacity[10] == "Openbaar Ministerie: Reclassering heeft te weinig mensen"


def test_it_neutralises_formulas_in_both_exports(board, client_for):
    w = board.world
    decision = closed(board, '=HYPERLINK("http://evil")', DecisionStatus.ADOPTED, date(2025, 4, 1))
    decision.outcome_statement = "+SUM(A1:A9)"
    decision.save()
    DecisionPosition.objects.create(
        decision=decision, partnership=w.partner_b, kind=PositionKind.DISSENT, reason="@cmd\x07", recorded_by=w.lead_b
    )
    client = client_for(w.viewer)
    text = client.get(export_url(w.chain, "csv")).content.decode("utf-8")
    (row,) = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1:]
    assert row[2] == '\'=HYPERLINK("http://evil")'
    assert row[12] == "'+SUM(A1:A9)"
    workbook = load_workbook(io.BytesIO(client.get(export_url(w.chain, "xlsx")).content))
    sheet = workbook.worksheets[0]
    values = [cell.value for cell in sheet[2]]
    assert values[2] == '\'=HYPERLINK("http://evil")'
    assert values[12] == "'+SUM(A1:A9)"
    assert values[10] == "Openbaar Ministerie: @cmd"  # the position text does not start the cell
    assert sheet.cell(row=2, column=1).value.date() == date(2025, 4, 1)


def test_it_refuses_an_unknown_export_format(board, client_for):
    w = board.world
    assert client_for(w.viewer).get(export_url(w.chain, "pdf")).status_code == 404


def test_it_marks_a_written_decision_in_the_register(board, client_for):
    w = board.world
    propose(board, way=DecisionWay.WRITTEN)
    decision = Decision.objects.get()
    decide(decision, w.lead_a, PositionKind.CONSENT)
    response = client_for(w.viewer).get(register_url(w.chain))
    assert titles(response) == [decision.title]
