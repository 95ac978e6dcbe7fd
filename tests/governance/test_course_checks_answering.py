"""Answering a course check and the programme manager's statements (governance/views/course_checks.py):
a respondent answers and changes the answer until the close; everyone else, a closed check, forged
and missing scores are refused with a message and nothing saved; the statements change only while
no answer is in, and two managers never overwrite each other."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckScore, CourseCheckStatus
from governance.services import course_checks as service
from tests.governance.course_check_fixtures import answerable, form_data, seated, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(world) -> CourseCheck:
    seated(world)
    return answerable(world)


def scores_of(person, check) -> dict[str, int]:
    rows = CourseCheckScore.objects.filter(respondent__person=person, respondent__course_check=check)
    return {f"{s.statement.dimension}{s.statement.position}": s.score for s in rows.select_related("statement")}


def test_a_respondent_answers_and_later_changes_the_answer(world, client_for, check):
    client = client_for(world.lead_a)
    page = client.get(url(check, "antwoorden/"))
    assert page.status_code == 200
    html = page.text
    # Radio groups in fieldsets with legends: a dimension, then each statement with its five scores.
    assert '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend"><span' in html
    assert "De partners vertrouwen elkaar." in html and html.count('type="radio"') == 8 * 5
    assert "Wat moet er veranderen?" in html

    data = form_data(check, 4, open_answer="Vaker samen evalueren.")
    first = check.statements.get(dimension="relations", position=1)
    data[f"comment_{first.pk}"] = "Het vertrouwen staat onder druk."
    response = client.post(url(check, "antwoorden/"), data)
    assert response.status_code == 302 and response["Location"] == url(check)
    respondent = CourseCheckRespondent.objects.get(course_check=check, person=world.lead_a)
    assert respondent.answered_at is not None and respondent.open_answer == "Vaker samen evalueren."
    assert set(scores_of(world.lead_a, check).values()) == {4}
    assert CourseCheckScore.objects.get(respondent=respondent, statement=first).comment.startswith("Het vertrouwen")

    again = client.get(url(check, "antwoorden/"))
    assert "U hebt geantwoord op" in again.text and "u kunt uw antwoord wijzigen tot en met" in again.text
    assert len(re.findall(r'<input type="radio"[^>]*value="4"[^>]*checked', again.text)) == 8
    client.post(url(check, "antwoorden/"), form_data(check, 2))
    assert set(scores_of(world.lead_a, check).values()) == {2}
    assert CourseCheckScore.objects.filter(respondent=respondent).count() == 8  # updated, not added
    assert CourseCheckRespondent.objects.get(pk=respondent.pk).open_answer == ""


def test_someone_not_asked_gets_a_page_that_says_why(world, client_for, check):
    for person in (world.manager, world.viewer):  # a secretary without partner; no seat at all
        client = client_for(person)
        answer = url(check, "antwoorden/")
        for response in (client.get(answer), client.post(answer, form_data(check))):
            assert response.status_code == 403
            assert "U bent niet gevraagd deze koerscheck te beantwoorden" in response.text
    assert not CourseCheckScore.objects.exists()


def test_an_outsider_of_the_chain_gets_404(world, client_for, check):
    assert client_for(world.outsider).post(url(check, "antwoorden/"), form_data(check)).status_code == 404


def test_an_answer_after_the_close_is_refused_and_nothing_saved(world, client_for, check):
    client = client_for(world.lead_a)
    client.post(url(check, "antwoorden/"), form_data(check, 4))
    CourseCheck.objects.filter(pk=check.pk).update(status=CourseCheckStatus.CLOSED, closed_at=timezone.now())
    response = client.post(url(check, "antwoorden/"), form_data(check, 1))
    assert response.status_code == 422 and "Deze koerscheck is gesloten" in response.text
    assert set(scores_of(world.lead_a, check).values()) == {4}
    assert "gesloten" in client.get(url(check, "antwoorden/")).text


def test_the_closing_day_passed_counts_as_closed_before_the_beat_closes_it(world, client_for, check):
    CourseCheck.objects.filter(pk=check.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    response = client_for(world.lead_a).post(url(check, "antwoorden/"), form_data(check))
    assert response.status_code == 422 and "gesloten" in response.text
    assert not CourseCheckScore.objects.exists()


@pytest.mark.parametrize("forged", ["0", "6", "7", "-1", "3.5", "drie"])
def test_a_forged_score_is_refused_at_the_statement(world, client_for, check, forged):
    data = form_data(check, 3)
    statement = check.statements.get(dimension="culture", position=2)
    data[f"score_{statement.pk}"] = forged
    response = client_for(world.lead_a).post(url(check, "antwoorden/"), data)
    assert response.status_code == 422
    error = response.text.split(f'id="id_score_{statement.pk}_error"')[1].split("</div>")[0]
    assert "Kies een score van 1 tot en met 5" in error
    assert not CourseCheckScore.objects.exists()
    assert CourseCheckRespondent.objects.get(person=world.lead_a, course_check=check).answered_at is None


def test_missing_scores_are_refused_at_each_statement(world, client_for, check):
    data = form_data(check, 3)
    left_out = list(check.statements.filter(dimension="procedure"))
    for statement in left_out:
        del data[f"score_{statement.pk}"]
    response = client_for(world.lead_a).post(url(check, "antwoorden/"), data)
    assert response.status_code == 422
    for statement in left_out:
        assert f'id="id_score_{statement.pk}_error"' in response.text
    assert "Kies een score van 1 tot en met 5 voor deze stelling." in response.text
    assert "Nog niet elke stelling heeft een score" in response.text
    assert not CourseCheckScore.objects.exists()


def test_the_service_refuses_what_the_form_would_let_through(world, check):
    scores = dict.fromkeys(check.statements.values_list("pk", flat=True), 3)
    with pytest.raises(service.CourseCheckRefused):
        service.answer(check, world.lead_a, {**scores, next(iter(scores)): 9}, {}, "")
    with pytest.raises(service.CourseCheckRefused):
        service.answer(check, world.lead_a, dict(list(scores.items())[:7]), {}, "")
    with pytest.raises(service.CourseCheckRefused):
        service.answer(check, world.viewer, scores, {}, "")
    assert not CourseCheckScore.objects.exists()


def test_the_manager_changes_the_statements_while_no_answer_is_in(world, client_for, check):
    client = client_for(world.manager)
    page = client.get(url(check, "stellingen/"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["text_relations_1"] = "Wij spreken elkaar aan op afspraken."
    data["question"] = "Wat zou u als eerste veranderen?"
    response = client.post(url(check, "stellingen/"), data)
    assert response.status_code == 302
    assert check.statements.get(dimension="relations", position=1).text == "Wij spreken elkaar aan op afspraken."
    assert CourseCheck.objects.get(pk=check.pk).question == "Wat zou u als eerste veranderen?"

    # A second manager still holding the old page: refused, the saved texts shown, nothing overwritten.
    data["text_relations_1"] = "Iets anders."
    stale = client.post(url(check, "stellingen/"), data)
    assert stale.status_code == 422 and "Iemand anders heeft de stellingen intussen gewijzigd" in stale.text
    assert "Wij spreken elkaar aan op afspraken." in stale.text
    assert check.statements.get(dimension="relations", position=1).text == "Wij spreken elkaar aan op afspraken."
    # The page now carries the current version: saving again on purpose works.
    data["version"] = stale.context["form"].data["version"]
    assert client.post(url(check, "stellingen/"), data).status_code == 302
    assert check.statements.get(dimension="relations", position=1).text == "Iets anders."


def test_an_empty_statement_is_refused_at_the_field(world, client_for, check):
    client = client_for(world.manager)
    form = client.get(url(check, "stellingen/")).context["form"]
    data = {name: form[name].value() for name in form.fields} | {"text_culture_2": "  "}
    response = client.post(url(check, "stellingen/"), data)
    assert response.status_code == 422 and 'id="id_text_culture_2_error"' in response.text


def test_the_statements_are_locked_once_an_answer_is_in(world, client_for, check):
    client_for(world.lead_b).post(url(check, "antwoorden/"), form_data(check))
    client = client_for(world.manager)
    page = client.get(url(check, "stellingen/"))
    assert "Er zijn al antwoorden binnen" in page.text and 'id="statements-form"' not in page.text
    before = list(check.statements.values_list("text", flat=True))
    data = {f"text_{s.dimension}_{s.position}": "Nieuw" for s in check.statements.all()}
    response = client.post(url(check, "stellingen/"), {**data, "question": "Nieuw?", "version": check.version})
    assert response.status_code == 422
    assert list(check.statements.values_list("text", flat=True)) == before
    with pytest.raises(service.CourseCheckRefused):
        service.save_statements(check, {}, "Nieuw?", check.version)


def test_only_the_manager_may_change_the_statements(world, client_for, check):
    assert client_for(world.lead_a).get(url(check, "stellingen/")).status_code == 403
    assert client_for(world.manager).get(url(check, "stellingen/")).status_code == 200


def test_the_list_and_the_page_show_counts_never_who(world, client_for, check):
    client_for(world.lead_a).post(url(check, "antwoorden/"), form_data(check, 5, open_answer="Geheim antwoord"))
    client = client_for(world.manager)
    listing = client.get(f"/ketens/{world.chain.slug}/overleg/koerschecks/")
    assert listing.status_code == 200 and "1 van 3 (33%)" in listing.text
    page = client.get(url(check))
    assert page.status_code == 200
    assert "1 van de 3 gevraagden hebben geantwoord (33%)" in page.text
    rows = page.text.split('id="response-caption"')[1].split("</table>")[0]
    assert "Politie" in rows and "Openbaar Ministerie" in rows
    assert world.lead_a.full_name not in page.text
    assert "Geheim antwoord" not in page.text


def test_the_respondent_sees_when_they_answered_and_until_when_they_can_change_it(world, client_for, check):
    client = client_for(world.lead_a)
    assert "De koerscheck beantwoorden" in client.get(url(check)).text
    client.post(url(check, "antwoorden/"), form_data(check))
    page = client.get(url(check))
    assert "U hebt geantwoord op" in page.text and "Uw antwoord wijzigen" in page.text


def test_deleting_a_person_keeps_their_answer_anonymised(world, client_for, check):
    client_for(world.lead_a).post(url(check, "antwoorden/"), form_data(check, 2))
    respondent = CourseCheckRespondent.objects.get(course_check=check, person=world.lead_a)
    world.lead_a.delete()
    respondent.refresh_from_db()
    assert respondent.person_id is None and respondent.partnership_id == world.partner_a.pk
    assert respondent.answered_at is not None
    assert list(CourseCheckScore.objects.filter(respondent=respondent).values_list("score", flat=True)) == [2] * 8
    # Still counted per partner.
    (police,) = [p for p in service.response_by_partner(check) if p.name == "Politie"]
    assert (police.asked, police.answered) == (2, 1)


def test_my_work_lists_the_checks_waiting_for_me_in_a_constant_number_of_queries(
    world, client_for, check, django_assert_max_num_queries
):
    from governance.my_work_course_checks import items

    with django_assert_max_num_queries(1):
        waiting = items(world.lead_a)["course_checks_waiting"]
        assert [r.course_check.chain.slug for r in waiting] == ["zsm"]
    # More checks in more chains: still one query.
    other = CourseCheck.objects.create(chain=world.other_chain, opens_on=check.opens_on, closes_on=check.closes_on)
    CourseCheckRespondent.objects.create(course_check=other, person=world.lead_a, partnership=world.partner_c)
    with django_assert_max_num_queries(1):
        assert len(items(world.lead_a)["course_checks_waiting"]) == 2
    page = client_for(world.lead_a).get("/")
    assert "Koerschecks die op mijn antwoord wachten" in page.text and url(check, "antwoorden/") in page.text
    client_for(world.lead_a).post(url(check, "antwoorden/"), form_data(check))
    assert len(items(world.lead_a)["course_checks_waiting"]) == 1
    assert items(world.viewer)["course_checks_waiting"] == []
