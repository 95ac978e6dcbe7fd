"""The chain map (issue 14, point 5): the step order rule (no gap, no loop), the programme
manager's edit page (bad input, concurrent saves, removing a step), the map page with each step's
lead time against its norm and status (colour and symbol), a network's dossier, the map on the
dashboard and in the progress report, and query counts that do not grow with the steps
(ambitions/models/chain_map.py, services/chain_map.py, views/chain_map.py)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ambitions.models import Indicator
from ambitions.models.chain_map import ChainMap, MapStep, StepDraft, order_problems
from ambitions.services import chain_map as maps
from ambitions.services import dashboard, data_revision
from ambitions.services.entry import CellInput, save_cell
from stakeholders.models import ChainKind
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.measures import adopted_version

MAP = "/ketens/zsm/ketenkaart/"
EDIT = "/ketens/zsm/ketenkaart/bewerken/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture(autouse=True)
def _english():
    """The rule's messages read in English here (the pages are asked in English too)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def mid_month(monkeypatch):
    """Today is the 20th, so last month is past its ten-day deadline: the headline."""
    today = timezone.localdate().replace(day=20)
    monkeypatch.setattr(dashboard, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


@pytest.fixture
def lead_times(measures):
    """Two lead-time indicators in hours (lower is better, norm 24): the police's (20 hours last
    month, on track) and the OM's (31 hours, off track)."""
    m, w = measures, measures.world
    police = Indicator.objects.create(ambition=m.ambition, name="Uren van aanhouding tot voorgeleiding", position=5)
    om = Indicator.objects.create(ambition=m.ambition, name="Uren tot OM-beslissing", position=6)
    norm = {"unit_label": "uur", "direction": "lower", "baseline_value": Decimal(24), "target_value": Decimal(24)}
    adopted_version(police, [w.unit_a], **norm)
    adopted_version(om, [w.unit_b], **norm)
    # The same in the month before, so a report drafted before this month's deadline shows them too.
    for period in (m.period.previous, m.period):
        save_cell(w.contributor_a, police, w.unit_a, period, CellInput(value="20"))
        save_cell(w.lead_b, om, w.unit_b, period, CellInput(value="31"))
    return SimpleNamespace(police=police, om=om)


def draft(position, *partners, name="Stap"):
    return StepDraft(position=position, name=f"{name} {position}", partners=list(partners))


def rows(*steps, revision=0, initial=0, dossier="", extra=0):
    """The edit form's POST: ``steps`` as (position, name, [partnership ids], indicator id or "", norm)."""
    data = {
        "dossier": dossier,
        "revision": str(revision),
        "steps-TOTAL_FORMS": str(len(steps) + extra),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, (position, name, partners, indicator, norm, *remove) in enumerate(steps):
        data.update(
            {
                f"steps-{i}-position": str(position),
                f"steps-{i}-name": name,
                f"steps-{i}-partners": [str(p) for p in partners],
                f"steps-{i}-indicator": str(indicator),
                f"steps-{i}-norm": norm,
            }
        )
        if remove:
            data[f"steps-{i}-remove"] = "on"
    return data


def saved(w) -> list[tuple[int, str, list[int]]]:
    return [
        (s.position, s.name, sorted(p.pk for p in s.partners.all()))
        for s in MapStep.objects.filter(chain_map__chain=w.chain).order_by("position")
    ]


# --- the order rule ----------------------------------------------------------------------------------


def test_it_accepts_steps_numbered_without_a_gap_with_parallel_partners(world):
    assert (
        order_problems([draft(1, world.partner_a), draft(2, world.partner_b, PartnershipFactory(chain=world.chain))])
        == []
    )


def test_it_refuses_a_gap_in_the_numbers(world):
    problems = order_problems([draft(1, world.partner_a), draft(3, world.partner_b)])
    assert [p.message for p in problems] == ["The steps must be numbered 1, 2, 3 … without a gap: number 2 is missing."]


def test_it_refuses_two_steps_with_one_number(world):
    problems = order_problems([draft(1, world.partner_a), draft(1, world.partner_b)])
    assert "Two steps have number 1" in problems[0].message


def test_it_refuses_a_loop_back_to_a_partner(world):
    problems = order_problems([draft(1, world.partner_a), draft(2, world.partner_b), draft(3, world.partner_a)])
    assert len(problems) == 1
    assert problems[0].message.startswith("Politie is at step 1 and again at step 3: the case would go round in a loop")
    assert (problems[0].position, problems[0].field) == (3, "partners")


def test_it_refuses_a_step_without_a_partner(world):
    assert order_problems([draft(1)])[0].field == "partners"


def test_the_model_refuses_what_the_rule_refuses(world):
    chain_map = ChainMap.objects.create(chain=world.chain)
    with pytest.raises(ValueError):
        chain_map.replace_steps("", [draft(2, world.partner_a)], 0, None)
    assert not MapStep.objects.exists()


# --- the edit page -------------------------------------------------------------------------------------


def test_the_programme_manager_defines_the_steps(lead_times, measures, client_for):
    m, w = lead_times, measures.world
    manager = client_for(w.manager)
    page = manager.get(EDIT)
    assert page.status_code == 200
    assert 'name="steps-0-position"' in page.text

    response = manager.post(
        EDIT,
        rows(
            (1, "Aanhouding en verhoor", [w.partner_a.pk], m.police.pk, ""),
            (2, "Beslissing OM", [w.partner_b.pk], m.om.pk, "24"),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == MAP
    steps = list(MapStep.objects.filter(chain_map__chain=w.chain).order_by("position"))
    assert [(s.position, s.name, s.indicator_id, s.norm) for s in steps] == [
        (1, "Aanhouding en verhoor", m.police.pk, None),
        (2, "Beslissing OM", m.om.pk, Decimal(24)),
    ]
    assert ChainMap.objects.get(chain=w.chain).revision == 1


def test_a_gap_is_refused_with_a_message_and_nothing_is_saved(world, client_for):
    response = client_for(world.manager).post(
        EDIT, rows((1, "Aanhouding", [world.partner_a.pk], "", ""), (3, "OM", [world.partner_b.pk], "", ""))
    )
    assert response.status_code == 422
    assert "without a gap: number 2 is missing" in response.text
    assert 'role="alert"' in response.text
    assert not MapStep.objects.exists()


def test_a_loop_is_refused_at_the_step_that_closes_it(world, client_for):
    response = client_for(world.manager).post(
        EDIT,
        rows(
            (1, "Aanhouding", [world.partner_a.pk], "", ""),
            (2, "OM", [world.partner_b.pk], "", ""),
            (3, "Terug", [world.partner_a.pk], "", ""),
        ),
    )
    assert response.status_code == 422
    error = response.text.split('id="id_steps-2-partners_error"')[1].split("</div>")[0]
    assert "again at step 3" in error
    assert not MapStep.objects.exists()


def test_bad_input_in_a_row_is_said_at_the_field(world, measures, client_for):
    response = client_for(world.manager).post(
        EDIT,
        rows(
            (1, "", [world.partner_a.pk], "", "veel"),
            (2, "OM", [world.partner_c.pk], measures.other_indicator.pk, ""),
        ),
    )
    assert response.status_code == 422
    assert 'id="id_steps-0-name_error"' in response.text
    assert 'id="id_steps-0-norm_error"' in response.text
    assert "Choose partners of this chain." in response.text
    assert "Choose one of this chain&#x27;s indicators." in response.text
    assert not MapStep.objects.exists()


def test_empty_new_rows_are_ignored_and_a_step_is_removed(world, client_for):
    client = client_for(world.manager)
    first = rows((1, "Aanhouding", [world.partner_a.pk], "", ""), (2, "OM", [world.partner_b.pk], "", ""), extra=2)
    assert client.post(EDIT, first).status_code == 302
    assert client.get(EDIT).text.count("remove this step") == 2

    second = rows(
        (1, "Aanhouding", [world.partner_a.pk], "", ""),
        (2, "", [], "", "", "remove"),
        revision=1,
        initial=2,
    )
    assert client.post(EDIT, second).status_code == 302
    assert saved(world) == [(1, "Aanhouding", [world.partner_a.pk])]


def test_a_save_over_someone_elses_is_refused_and_nothing_is_saved(world, client_for):
    anna, bart = client_for(world.manager), client_for(world.admin)
    assert anna.post(EDIT, rows((1, "Anna", [world.partner_a.pk], "", ""))).status_code == 302

    response = bart.post(EDIT, rows((1, "Bart", [world.partner_b.pk], "", "")))  # loaded at revision 0

    assert response.status_code == 422
    assert "Someone else changed the chain map while you were editing. Nothing was saved." in response.text
    assert 'value="Anna"' in response.text  # the map as saved now
    assert saved(world) == [(1, "Anna", [world.partner_a.pk])]


def test_only_the_programme_manager_changes_the_map(world, client_for):
    for person in (world.viewer, world.contributor_a, world.lead_a):
        assert client_for(person).get(EDIT).status_code == 403
        assert client_for(person).post(EDIT, rows((1, "X", [world.partner_a.pk], "", ""))).status_code == 403
    assert client_for(world.viewer).get(MAP).status_code == 200
    assert client_for(world.outsider).get(MAP).status_code == 404
    assert not MapStep.objects.exists()


# --- the map -------------------------------------------------------------------------------------------


def make_map(w, steps, dossier="") -> ChainMap:
    chain_map = ChainMap.objects.create(chain=w.chain, dossier=dossier)
    for position, (name, partners, indicator, norm) in enumerate(steps, 1):
        step = MapStep.objects.create(chain_map=chain_map, position=position, name=name, indicator=indicator, norm=norm)
        step.partners.set(partners)
    return chain_map


def test_the_map_shows_each_steps_lead_time_against_its_norm_and_where_it_pinches(lead_times, measures, client_for):
    w = measures.world
    court = PartnershipFactory(chain=w.chain, organisation=OrganisationFactory(name="Rechtspraak"))
    make_map(
        w,
        [
            ("Aanhouding", [w.partner_a], lead_times.police, None),
            ("Beslissing OM", [w.partner_b, court], lead_times.om, None),
            ("Reclassering", [PartnershipFactory(chain=w.chain)], None, Decimal(72)),
        ],
    )

    response = client_for(w.viewer).get(MAP)

    assert response.status_code == 200
    view = response.context["chain_map"]
    police, om, probation = view.steps
    assert (police.lead_time, police.norm, police.status, police.mark) == ("20 uur", "24 uur", "on_track", "✓")
    assert (om.lead_time, om.norm, om.status, om.mark) == ("31 uur", "24 uur", "off_track", "✗")
    assert om.partners == ["Openbaar Ministerie", "Rechtspraak"]
    assert (probation.lead_time, probation.norm, probation.norm_source, probation.status) == (
        "—",
        "72",
        "step",
        "no_data",
    )
    assert [s.position for s in view.pinches] == [2]
    svg = response.text.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "Where the chain pinches: step 2, Beslissing OM: 31 uur against a norm of 24 uur (Off track)" in svg
    assert "✗ Off track" in svg  # a symbol and a word, never colour alone
    assert "marker-end" in svg  # the hand-offs
    # The text equivalent.
    assert "The chain map as a table" in response.text
    assert "the step's own norm, not judged" in response.text


def test_a_networks_partners_are_drawn_around_the_shared_dossier(world, client_for):
    world.chain.kind = ChainKind.NETWORK
    world.chain.save()
    make_map(
        world, [("Politie", [world.partner_a], None, None), ("OM", [world.partner_b], None, None)], "Het gezinsplan"
    )

    response = client_for(world.viewer).get(MAP)

    view = response.context["chain_map"]
    assert not view.is_relay
    assert "<ellipse" in view.svg and "Het gezinsplan" in view.svg
    assert "marker-end" not in view.svg.split("</defs>")[1]
    assert "2 partners around Het gezinsplan" in view.description


def test_names_are_escaped_in_the_picture(world, client_for):
    make_map(world, [("<script>alert(1)</script>", [world.partner_a], None, None)])
    response = client_for(world.viewer).get(MAP)
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def test_a_chain_without_a_map_says_so(world, client_for):
    response = client_for(world.manager).get(MAP)
    assert "The chain map has no steps yet." in response.text
    assert EDIT in response.text
    assert EDIT not in client_for(world.viewer).get(MAP).text


def test_the_map_is_on_the_dashboard_with_the_tiles_figures(lead_times, measures, client_for):
    w = measures.world
    make_map(w, [("Aanhouding", [w.partner_a], lead_times.police, None), ("OM", [w.partner_b], lead_times.om, None)])

    response = client_for(w.viewer).get(reverse("ambitions:chain_dashboard", args=[w.chain.slug]))

    assert 'id="chain-map-heading"' in response.text
    om = response.context["chain_map"].steps[1]
    tile = next(t for b in response.context["dashboard"].ambitions for t in b.tiles if t.indicator == lead_times.om)
    assert om.status == tile.progress.status == "off_track"


def test_the_map_is_in_the_progress_report_with_its_frozen_figures(lead_times, measures, client_for):
    from ambitions.services import reports

    w = measures.world
    make_map(w, [("Aanhouding", [w.partner_a], lead_times.police, None), ("OM", [w.partner_b], lead_times.om, None)])
    report, _created = reports.draft_report(w.chain, measures.period)
    client = client_for(w.viewer)

    page = client.get(report.get_absolute_url())

    assert 'id="report-chain-map"' in page.text
    assert [s.lead_time for s in page.context["chain_map"].steps] == ["20 uur", "31 uur"]
    pdf = client.get(reverse("ambitions:report_pdf", args=[w.chain.slug, report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_menu_has_the_chain_map(world, client_for):
    response = client_for(world.viewer).get(MAP)
    assert f'href="{MAP}"' in response.text
    assert (
        'aria-current="page"' in response.text.split(f'href="{MAP}"')[1].split(">")[0]
        or "aria-current" in (response.text.split(f'href="{MAP}"')[0][-200:])
    )


# --- cost ----------------------------------------------------------------------------------------------


def _map_with(w, measures, n: int) -> None:
    ChainMap.objects.filter(chain=w.chain).delete()
    steps = []
    for i in range(n):
        indicator = Indicator.objects.create(ambition=measures.ambition, name=f"Doorlooptijd {n}-{i}", position=20 + i)
        adopted_version(indicator, [w.unit_a], unit_label="uur", direction="lower")
        partner = PartnershipFactory(chain=w.chain)
        steps.append((f"Stap {i}", [partner, w.partner_a] if i == 0 else [partner], indicator, None))
    make_map(w, steps)


@pytest.mark.parametrize("address", [MAP, EDIT, "/ketens/zsm/dashboard/"])
def test_the_query_count_does_not_grow_with_the_steps(measures, client_for, max_page_queries, address):
    w = measures.world
    client = client_for(w.manager)
    _map_with(w, measures, 2)
    client.get(address)  # warm up: the session and the language
    # Both read cold: the dashboard keeps its chain-wide part in the cache until the data changes.
    data_revision.bump([w.chain.pk])
    with max_page_queries(40) as small:
        assert client.get(address).status_code == 200
    _map_with(w, measures, 6)
    data_revision.bump([w.chain.pk])
    with max_page_queries(len(small.captured_queries)):
        assert client.get(address).status_code == 200


def test_the_map_page_costs_a_fixed_number_of_queries(measures, client_for, max_page_queries):
    w = measures.world
    client = client_for(w.viewer)
    _map_with(w, measures, 5)
    client.get(MAP)
    with max_page_queries(12):
        assert client.get(MAP).status_code == 200


def test_the_service_reads_two_queries_for_the_steps(measures, django_assert_max_num_queries):
    w = measures.world
    _map_with(w, measures, 4)
    with django_assert_max_num_queries(2):
        steps = maps.steps_of(w.chain)
        view = maps.build(w.chain, steps, {})
        assert len(view.steps) == 4 and view.steps[0].partners


def test_a_long_relay_continues_on_a_second_row(measures):
    w = measures.world
    _map_with(w, measures, 6)
    svg = str(maps.for_page(w.chain).svg)
    assert svg.count("<line ") == 4 and svg.count("<polyline ") == 1  # 5 hand-offs: four in the row, one down


def test_a_network_gets_its_dossier_named_on_the_edit_page(world, client_for):
    world.chain.kind = ChainKind.NETWORK
    world.chain.save()
    client = client_for(world.manager)
    assert 'name="dossier"' in client.get(EDIT).text and "A network works from one shared dossier" in (
        client.get(EDIT).text
    )

    data = rows((1, "Politie", [world.partner_a.pk], "", ""), (2, "OM", [world.partner_b.pk], "", ""))
    response = client.post(EDIT, {**data, "dossier": "Het gezinsplan"})

    assert response.status_code == 302
    assert ChainMap.objects.get(chain=world.chain).dossier == "Het gezinsplan"
