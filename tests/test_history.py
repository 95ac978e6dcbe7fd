"""The history tables (Geschiedenis) read as a person reads them: "aangemaakt" and "gewijzigd",
field labels, "leeg" for nothing, "ja"/"nee", choice labels, names of related objects and the
portal's one date format; never `create`, `None`, `True` or `ambitions.Consent.None`."""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import IndicatorVersion
from stakeholders.history import history_for
from stakeholders.models import Partnership
from tests.ambitions.test_setup import version_data
from tests.conftest import World
from tests.measures import Measures

RAW = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\w+\.\w+\.None|\b(create|update|delete)\b")


def history_rows(html: str) -> list[tuple[str, ...]]:
    """The history table's rows as (when, who, what, field, before, after), as a person reads them
    (the dash of an empty value is hidden from screen readers; they hear "leeg")."""
    section = html.split('id="history-heading"')[1].split("</section>")[0]
    rows = []
    for row in re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", section, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells:
            cells = [re.sub(r'<span aria-hidden="true">—</span>', "", c) for c in cells]
            rows.append(tuple(unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells))
    return rows


def partnership_edit_data(client, partnership: Partnership, **overrides) -> dict:
    url = reverse("stakeholders:partnership_edit", args=[partnership.chain.slug, partnership.pk])
    form = client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    return {**data, "version_token": form["version_token"].value(), **overrides}


def test_it_shows_a_partners_changes_as_a_person_reads_them(world: World, client_for):
    manager = client_for(world.manager)
    edit = reverse("stakeholders:partnership_edit", args=["zsm", world.partner_a.pk])
    data = partnership_edit_data(manager, world.partner_a, role="enforcer", status="observer", joined_on="2020-03-01")
    assert manager.post(edit, data).status_code == 302

    page = client_for(world.viewer).get(reverse("stakeholders:partnership_detail", args=["zsm", world.partner_a.pk]))
    rows = history_rows(page.text)
    changed = {row[3]: row[4:] for row in rows if row[2] == "gewijzigd"}
    assert changed["Rol in de keten"] == ("leeg", "Handhaver")
    assert changed["Status"] == ("Kernpartner", "Waarnemer")
    assert changed["Toegetreden op"] == ("leeg", "1 mrt 2020")
    assert {row[1] for row in rows if row[2] == "gewijzigd"} == {"Manager"}
    # The partnership's creation names the organisation and the chain, not their ids.
    created = {row[3]: row[5] for row in rows if row[2] == "aangemaakt"}
    assert created["Organisatie"] == "Politie" and created["Keten"] == "ZSM"
    assert "ID" not in created and "Rol in de keten" not in created  # no id, nothing empty
    for row in rows:
        assert not RAW.search(" ".join(row)), row
        assert re.fullmatch(r"\d{1,2} [a-z]{3} \d{4} \d{2}:\d{2}", row[0]), row[0]


def test_it_shows_a_definitions_changes_as_a_person_reads_them(measures: Measures, client_for):
    w = measures.world
    manager = client_for(w.manager)
    manager.post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Binnen 48 uur", **version_data(w)},
    )
    version = IndicatorVersion.objects.get(indicator__name="Binnen 48 uur")
    edit = reverse("ambitions:version_edit", args=["zsm", version.indicator_id, version.number])
    token = manager.get(edit).context["form"]["version_token"].value()
    data = version_data(w, is_share=None, target_value="75,5", reporting_units=[w.unit_b.pk])
    assert manager.post(edit, {**data, "version_token": token}).status_code == 302

    page = manager.get(reverse("ambitions:version_detail", args=["zsm", version.indicator_id, version.number]))
    rows = history_rows(page.text)
    changed = [row[3:] for row in rows if row[2] == "gewijzigd"]
    assert ("Deel van een geheel", "ja", "nee") in changed
    assert ("Streefwaarde", "80", "75,5") in changed
    assert ("Rapporterende onderdelen", "verwijderd: Eenheid Amsterdam", "leeg") in changed
    # Recorded as 100 → 100.00, unchanged to a reader: not shown.
    assert not any(field == "Factor" for field, *_ in changed)
    created = {row[3]: row[5] for row in rows if row[2] == "aangemaakt"}
    assert created["Indicator"] == "Binnen 48 uur"
    assert created["Soort"] == "Verhouding (teller / noemer × factor)"
    assert created["Gaat in vanaf"] == "1 jan 2026"
    for row in rows:
        assert not RAW.search(" ".join(row)), row


def test_it_speaks_english_in_the_history_when_chosen(world: World, english_client_for):
    manager = english_client_for(world.manager)
    edit = reverse("stakeholders:partnership_edit", args=["zsm", world.partner_a.pk])
    manager.post(edit, partnership_edit_data(manager, world.partner_a, role="enforcer", joined_on="2020-03-01"))
    rows = history_rows(manager.get(reverse("stakeholders:partnership_detail", args=["zsm", world.partner_a.pk])).text)
    changed = {row[3]: row[4:] for row in rows if row[2] == "changed"}
    assert changed["Role in the chain"] == ("empty", "Enforcer")
    assert changed["Joined on"] == ("empty", "1 Mar 2020")
    assert any(row[2] == "created" for row in rows)


def test_it_names_related_objects_in_a_constant_number_of_queries(world: World):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            history_for(world.partner_a)
        return len(captured)

    before = queries()
    for role in ("director", "funder", "executor"):
        world.partner_a.role = role
        world.partner_a.save()
    world.partner_a.organisation = world.org_c  # another related object to name
    world.partner_a.save()
    assert queries() == before
