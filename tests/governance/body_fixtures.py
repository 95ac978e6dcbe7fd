"""Helpers the bodies' tests share (test_bodies.py, test_body_seats.py)."""

from __future__ import annotations

from governance.models import Body, BodyLevel, BodyMember, MemberPosition
from stakeholders.models import MandateScope
from tests.conftest import World
from tests.factories import MandateFactory


def body_of(w: World, name: str = "Stuurgroep ZSM", **fields) -> Body:
    fields.setdefault("level", BodyLevel.STRATEGIC)
    return Body.objects.create(chain=w.chain, name=name, **fields)


def seat(body: Body, person, partnership=None, position=MemberPosition.MEMBER, alternate=None) -> BodyMember:
    return BodyMember.objects.create(
        body=body, person=person, partnership=partnership, position=position, alternate=alternate
    )


def page(body: Body) -> str:
    return f"/ketens/{body.chain.slug}/overleg/gremia/{body.pk}/"


def error_at(response, field: str) -> str:
    assert f'id="id_{field}_error"' in response.text, f"no error at {field}"
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


def vote(person, partnership, **fields):
    return MandateFactory(person=person, partnership=partnership, scope=MandateScope.VOTE_IN_BODY, **fields)


def edit_data(client, obj, **overrides) -> dict:
    """What an edit form submits when left as it is, with the version token it was served with."""
    url = f"{page(obj)}bewerken/" if isinstance(obj, Body) else f"/ketens/zsm/overleg/gremia/leden/{obj.pk}/bewerken/"
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(overrides)
    return data


def member_url(body: Body) -> str:
    return f"{page(body)}leden/nieuw/"


def a_seat(w: World, **overrides) -> dict:
    data = {"person": w.lead_a.pk, "partnership": w.partner_a.pk, "position": MemberPosition.CHAIR, "alternate": ""}
    data.update(overrides)
    return {name: value for name, value in data.items()}
