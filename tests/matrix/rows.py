"""A row of the matrix, and how its requests are made: the caller's client, a page's form read
as a browser sends it (tests/test_authorisation_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from tests.matrix.objects import Objects, Url
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API_A,
    CONTRIBUTOR_A,
    FORGED,
    LEAD_A,
    MANAGER,
    OK,
    OTHER,
    OUTSIDER,
    VIEWER,
    Profile,
)


@dataclass(frozen=True)
class Row:
    name: str
    url: Url
    expect: Profile
    method: str = "get"
    state: Callable[[Objects, str], object] | None = None
    override: dict[tuple[str, str], int | str] = field(default_factory=dict)
    # A page's form: the fields to change in what the page shows (see form_data).
    form: Callable[[Objects, str], dict] | None = None
    json: bool = False  # ``_data`` is the request's JSON body
    ok_status: int | None = None  # when allowed: else 200 for a GET, 302 for a POST

    def expected(self, persona: str, target: str) -> int | str:
        if (persona, target) in self.override:
            return self.override[(persona, target)]
        if persona == API_A:
            # A token is read by the API only, where its account is a contributor of partner A.
            persona = CONTRIBUTOR_A if self.is_api else ANONYMOUS
        return self.override.get((persona, target), self.expect(persona, target))

    @property
    def is_api(self) -> bool:
        return self.name.partition(":")[0].endswith("-api")


def posting(name: str, url: Url, expect: Profile, form, state, **options) -> Row:
    """The POST row of a page with a form: ``form`` gives the fields to change in what the page
    shows, ``state`` what the post changes."""
    return Row(name, url, expect, method="post", form=form, state=state, **options)


# Who reads a form for a caller who may not open the page (see form_data), in this order.
READERS = [ADMIN, MANAGER, LEAD_A, CONTRIBUTOR_A, VIEWER, OUTSIDER, ANONYMOUS]


class PageForm(HTMLParser):
    """The fields a browser sends with the page's own form: the first ``<form method="post">``
    whose action is the page itself. Checked boxes and chosen options only (a single select
    without a chosen option sends its first), no files, no buttons."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.fields: dict[str, list[str]] = {}
        self.found = self.inside = False
        self.select: tuple[str, bool] | None = None  # name, multiple
        self.options: list[str] = []
        self.chosen = False
        self.textarea: str | None = None
        self.text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attributes}
        if tag == "form" and not self.found and a.get("method", "").lower() == "post":
            self.inside = self.found = urlsplit(a.get("action") or self.path).path == self.path
            return
        name = a.get("name")
        if not self.inside or (not name and tag != "option") or "disabled" in a:
            return
        kind = a.get("type", "text").lower()
        if tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            if kind not in ("checkbox", "radio"):
                self.add(name, a.get("value", ""))
            elif "checked" in a:
                self.add(name, a.get("value", "on"))
        elif tag == "select":
            self.select, self.options, self.chosen = (name, "multiple" in a), [], False
        elif tag == "option" and self.select is not None:
            self.options.append(a.get("value", ""))
            if "selected" in a:
                self.add(self.select[0], a.get("value", ""))
                self.chosen = True
        elif tag == "textarea":
            self.textarea, self.text = name, []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            if not self.chosen and not multiple and self.options:
                self.add(name, self.options[0])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None


def url_and_data(row: Row, objects: Objects, target: str) -> tuple[str, object]:
    kwargs = dict(row.url.kwargs(objects, target))
    query, data = kwargs.pop("_query", None), kwargs.pop("_data", None)
    return reverse(row.name, kwargs=kwargs, query=query), data


def client_as(persona: str, objects: Objects, client_for, handler) -> Client:
    if persona == API_A:
        client = client_for(None)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {objects.api_key}"
    else:
        client = client_for(None if persona == ANONYMOUS else getattr(objects.world, persona))
    client.handler = handler
    return client


def why_refused(response) -> str:
    """A refused form's errors, for the failure message."""
    form = response.context.get("form") if response.context else None
    return f" ({form.errors.as_json()})" if form is not None and form.errors else ""


def form_data(
    row: Row, page: Row, target: str, persona: str, objects: Objects, client_for, handler
) -> dict[str, list[str]]:
    """What the page's form sends, with the POST row's changes. Read (``page``: the GET row) as the
    caller when they may open the page, else as the first of READERS who may: a refused caller
    posts what would be a valid change. A forged target's form is read through its own (the other
    chain's) URL."""
    shown = OTHER if target == FORGED else target
    reader = next((p for p in [persona, *READERS] if page.expected(p, shown) == OK), None)
    fields: dict[str, list[str]] = {}
    if reader is not None:
        url, _ = url_and_data(page, objects, shown)
        response = client_as(reader, objects, client_for, handler).get(url)
        assert response.status_code == 200, f"GET {url} as {reader}: {response.status_code}"
        parser = PageForm(urlsplit(url).path)
        parser.feed(response.text)
        assert parser.found, f"GET {url} as {reader}: no form posts to the page"
        fields = parser.fields
    changes = {
        name: value if isinstance(value, list) else [str(value)] for name, value in row.form(objects, target).items()
    }
    return {**fields, **changes}
