"""Entering figures in a real browser.

A contributor of an organisation with five reporting units and three indicators enters a month
by keyboard alone: focus the first cell, type, Tab on; leaving a cell saves it with htmx, without
reloading the page. They submit by keyboard; the partner lead (with the approve mandate) signs in
and approves; the chain dashboard shows the new value. Without JavaScript the same grid is one
form. Every page visited is scanned with axe (``visit``), also after cells were swapped in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from ambitions.models import ChainAggregate, Figure, Indicator, PeriodSubmission, SubmissionStatus
from tests.factories import UnitFactory
from tests.measures import MISSING, Measures, adopted_version

from .conftest import PHONE, use_english
from .grid_keys import enter_month, expect_all_saved, focused
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

UNIT_NAMES = ["Eenheid Noord", "Eenheid Oost", "Eenheid West", "Eenheid Zuid"]


def five_units_three_indicators(m: Measures):
    """Partner A reports with five units (Eenheid Amsterdam plus four) three indicators."""
    w = m.world
    extra = [UnitFactory(organisation=w.org_a, name=name) for name in UNIT_NAMES]
    for version in (m.share_v1, m.count_v1):
        version.reporting_units.add(*extra)
    units = sorted([w.unit_a, *extra], key=lambda unit: unit.name)
    third = Indicator.objects.create(ambition=m.ambition, name="Slachtoffers geïnformeerd", position=3)
    adopted_version(third, units)
    return units, [m.share, m.count, third]


def test_a_contributor_enters_a_month_by_keyboard_and_the_lead_approves_it(
    measures: Measures, page, open_page, visit, sign_in, live_server
):
    m, w = measures, measures.world
    units, indicators = five_units_three_indicators(m)
    share, count, third = indicators
    grid_path = reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug])
    dashboard = reverse("ambitions:chain_dashboard", args=[w.chain.slug])

    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    # The dashboard before: nothing reported for the share yet.
    visit(page, dashboard)
    share_tile = page.locator(".kp-tile").filter(has=page.get_by_role("heading", name=share.name))
    expect(share_tile).to_contain_text("No figures reported")

    # From My work, where the month is listed as due or overdue, to the grid.
    visit(page, "/")
    with translation.override("en"):
        label = m.period.label()
    visit.follow(page, page.get_by_role("link", name=f"Figures for {label} in ZSM").click)
    assert page.url == live_server.url + grid_path, page.url
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # What to type, in the grid's order: per indicator, the units by name.
    values = {}
    for n, unit in enumerate(units, start=1):
        values[f"cell-{share.pk}-{unit.pk}-numerator"] = str(10 * n)  # 150 of 500: 30%
        values[f"cell-{share.pk}-{unit.pk}-denominator"] = "100"
        values[f"cell-{count.pk}-{unit.pk}-value"] = f"{100 + n}"
        values[f"cell-{third.pk}-{unit.pk}-value"] = str(n)
    order = [(indicator.pk, unit.pk) for indicator in indicators for unit in units]
    expect(page.locator("[data-kp-entered]").first).to_have_text("0")
    # Each input and comment button is named by its unit and indicator (aria-labelledby: the row's
    # header and a hidden text of its section), one of its kind on the page.
    for unit in units:
        for name in (f"{share.name}: Numerator", f"{share.name}: Denominator", f"{count.name}: Value"):
            expect(page.get_by_role("textbox", name=f"{unit.name} {name}", exact=True)).to_have_count(1)
        comment = page.get_by_role("button", name=f"Comment {unit.name} {share.name}", exact=True)
        expect(comment).to_have_count(1)

    # From the page as loaded: the first Tab reaches the skip link to the first cell; then each
    # value and Tab or Enter, at full speed: no waiting for a save between cells.
    keys = enter_month(page, values)

    # Every cell says it is saved and the counts went up, without a reload; the last key left the
    # grid for its save button.
    expect_all_saved(page, len(order))
    assert focused(page)["text"] == "Save all figures"
    assert page.url == live_server.url + grid_path
    visit.scan(page)

    # One key per value to move on (Tab or Enter), plus Tab and Enter once to get into the grid.
    assert keys.values == len(values) == 20
    assert keys.extra == keys.values + 2, keys.pressed
    assert "Enter" in keys.pressed  # and Enter moved on instead of posting the grid

    figures = {(f.indicator_id, f.unit_id): f for f in Figure.objects.filter(period=m.period.start)}
    assert len(figures) == len(order)
    for n, unit in enumerate(units, start=1):
        assert figures[(share.pk, unit.pk)].numerator == 10 * n
        assert figures[(share.pk, unit.pk)].denominator == 100
        assert figures[(count.pk, unit.pk)].value == 100 + n
        assert figures[(third.pk, unit.pk)].value == n
        assert figures[(share.pk, unit.pk)].entered_by == w.contributor_a

    # Submit by keyboard: Tab to the submit button, Enter.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Submit for approval"
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".kp-messages")).to_contain_text("submitted for approval")
    submission = PeriodSubmission.objects.get(organisation=w.org_a, period=m.period.start)
    assert submission.status == SubmissionStatus.SUBMITTED

    # The lead, in a browser of their own, finds the approval on My work and approves.
    lead = open_page()
    use_english(lead, live_server)
    sign_in(lead, w.lead_a)
    visit(lead, "/")
    expect(lead.get_by_role("heading", name="Approvals waiting")).to_be_visible()
    visit.follow(lead, lead.get_by_role("link", name=f"Figures of Politie for {label} in ZSM").click)
    approve = lead.get_by_role("button", name="Approve the figures")
    approve.focus()
    visit.follow(lead, lambda: lead.keyboard.press("Enter"))
    expect(lead.locator(".kp-messages")).to_contain_text("approved and locked")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    expect(lead.locator("input[name^='cell-']")).to_have_count(0)  # locked: no inputs left

    # The aggregate counts every unit's figure: Σ numerators / Σ denominators, never an average.
    aggregate = ChainAggregate.objects.get(indicator=share, period=m.period.start)
    assert aggregate.value(m.share_v1) == 30
    visit(lead, dashboard)
    share_tile = lead.locator(".kp-tile").filter(has=lead.get_by_role("heading", name=share.name))
    # The tile's number, or — in the days before the month's deadline, when the tile still shows the
    # month before as the latest complete one — its "So far" line: either way this month's 30.0%.
    expect(share_tile).to_contain_text("30.0")
    expect(share_tile).not_to_contain_text("No figures reported")


def test_a_cell_with_bad_input_shows_its_message_and_a_conflict_offers_a_choice(
    measures: Measures, page, visit, sign_in, live_server
):
    m, w = measures, measures.world
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    prefix = f"cell-{m.share.pk}-{w.unit_a.pk}"
    numerator = page.locator(f'input[name="{prefix}-numerator"]')
    numerator.focus()
    page.keyboard.type("130")
    page.keyboard.press("Tab")
    page.keyboard.type("120")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # leave the cell

    # The message is at the numerator, tied to it; nothing was saved.
    error = page.locator(f"#id_{prefix}-numerator-error")
    expect(error).to_contain_text("cannot be greater than the denominator")
    numerator = page.locator(f'input[name="{prefix}-numerator"]')
    expect(numerator).to_have_attribute("aria-invalid", "true")
    assert f"id_{prefix}-numerator-error" in (numerator.get_attribute("aria-describedby") or "").split()
    expect(page.locator("#entry-announcer")).to_contain_text("not saved")
    visit.scan(page)
    assert not Figure.objects.exists()

    # Someone else saves the cell meanwhile; my correction then meets their value.
    from ambitions.services.entry import CellInput, save_cell

    save_cell(w.lead_a, m.share, w.unit_a, m.period, CellInput(numerator="5", denominator="10"))
    numerator.fill("12")
    numerator.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    conflict = page.locator(f"#{prefix}-message")
    expect(conflict).to_contain_text("Saved meanwhile by Lead-A: 5 / 10 (50.0)")
    visit.scan(page)
    page.get_by_role("button", name="Save mine instead").first.click()
    expect(page.locator(f"#{prefix} .kp-entry__state--saved")).to_be_visible()
    figure = Figure.objects.get()
    assert (figure.numerator, figure.denominator, figure.entered_by) == (12, 120, w.contributor_a)
    visit.scan(page)


def test_without_javascript_the_grid_is_one_form(measures: Measures, open_page, visit, sign_in, live_server):
    m, w = measures, measures.world
    units, indicators = five_units_three_indicators(m)
    share, count, third = indicators
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    grid_path = reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug])
    visit(page, grid_path)
    assert page.evaluate("() => typeof window.htmx") == "undefined", "the page's scripts must not have run"

    def fill(indicator, unit, **values) -> None:
        for name, value in values.items():
            page.locator(f'input[name="cell-{indicator.pk}-{unit.pk}-{name}"]').fill(value)

    for n, unit in enumerate(units, start=1):
        fill(share, unit, numerator=str(n), denominator="10")
        fill(count, unit, value=str(100 + n))
        fill(third, unit, value=str(n))
    fill(count, units[2], value="honderd")  # one bad cell: nothing is saved
    visit.follow(page, page.get_by_role("button", name="Save all figures").click, status=422)
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved: 1 cell needs attention")
    bad = page.locator(f'input[name="cell-{count.pk}-{units[2].pk}-value"]')
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_cell-{count.pk}-{units[2].pk}-value-error")).to_contain_text("Enter a number")
    # What was typed is still there, everywhere.
    expect(page.locator(f'input[name="cell-{third.pk}-{units[4].pk}-value"]')).to_have_value("5")
    assert not Figure.objects.exists()

    bad.fill("103")
    # Enter in a cell saves the grid (the form's default button), never opens a row's comment editor.
    visit.follow(page, lambda: bad.press("Enter"))
    assert page.url == live_server.url + grid_path
    expect(page.locator(".kp-messages")).to_contain_text("15 figures saved")
    assert Figure.objects.filter(period=m.period.start).count() == 15
    assert ChainAggregate.objects.get(indicator=share, period=m.period.start).value(m.share_v1) == 30

    visit.follow(page, page.get_by_role("button", name="Submit for approval").click)
    assert PeriodSubmission.objects.get(organisation=w.org_a).status == SubmissionStatus.SUBMITTED


def test_the_period_list_history_and_reopen_pages_pass_axe(measures: Measures, page, visit, sign_in, live_server):
    from ambitions.services import submissions
    from ambitions.services.entry import CellInput, save_cell

    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="4"))
    figure = save_cell(w.lead_a, m.share, w.unit_a, m.period, CellInput(numerator="2", denominator="4", comment="Na"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period, MISSING)

    use_english(page, live_server)
    sign_in(page, w.manager)
    chain_menu = page.get_by_role("navigation", name="Chain menu")
    visit(page, reverse("stakeholders:chain_detail", args=[w.chain.slug]))
    visit.follow(page, chain_menu.get_by_role("link", name="Figures").click)
    assert page.url.endswith(reverse("ambitions:entry_index", args=[w.chain.slug])), page.url
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    with translation.override("en"):
        label = m.period.label()
    visit.follow(page, page.get_by_role("link", name=f"Approved — Politie, {label}").click)
    expect(page.locator(".kp-entry__value").first).to_have_text("2 / 4 (50.0)")
    visit.follow(page, page.get_by_role("link", name="Reopen these figures").click)
    visit.follow(page, page.get_by_role("button", name="Reopen").click, status=422)  # a reason is required
    page.get_by_label("Reason for reopening").fill("Correctie Amsterdam")
    visit.follow(page, page.get_by_role("button", name="Reopen").click)
    expect(page.locator(".kp-entry-summary")).to_contain_text("Correctie Amsterdam")
    assert PeriodSubmission.objects.get().status == SubmissionStatus.OPEN

    visit(page, reverse("ambitions:figure_history", args=[w.chain.slug, figure.pk]))
    expect(page.get_by_role("table")).to_contain_text("2 / 4 (50.0)")
    expect(page.get_by_role("table")).to_contain_text("1 / 4 (25.0)")
    assert_no_horizontal_scroll(page)


SERVER_ERROR = ("/cel/ answered 500", "Response Status Error Code 500 from")
DROPPED = ("/cel/ (net::ERR_CONNECTION_FAILED)", "htmx:sendError", "htmx:afterRequest")


def allow_problems(page, *expected: str) -> None:
    """Drop the browser problems a test caused on purpose (a save answered 500, a dropped
    connection) from the watcher: those matching one of ``expected``. Events can arrive late,
    so a test calls this again at its end."""
    watcher = page.watcher
    seen, new = watcher.problems[: watcher.checked], watcher.problems[watcher.checked :]
    watcher.problems = seen + [problem for problem in new if not any(text in problem for text in expected)]


def test_a_failed_save_is_shown_kept_retried_once_and_blocks_submitting(
    measures: Measures, page, visit, sign_in, live_server
):
    m, w = measures, measures.world
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    # The server fails every save of the count's cell: the first and the one retry.
    saves = []

    def server_error(route) -> None:
        saves.append(route.request.post_data)
        route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")

    page.route("**/cel/", server_error)
    key = f"cell-{m.count.pk}-{w.unit_a.pk}"
    value = page.locator(f'input[name="{key}-value"]')
    value.focus()
    page.keyboard.type("42")
    page.keyboard.press("Tab")  # leave the cell: it saves

    message = page.locator(f"#{key}-unsaved")
    expect(message).to_contain_text("Not saved: the server answered with an error (HTTP 500). Trying again")
    expect(message).to_contain_text("Your value is kept: leave the cell to try again", timeout=10_000)
    assert len(saves) == 2, "one save and one retry"
    expect(value).to_have_value("42")
    expect(value).to_have_attribute("aria-invalid", "true")
    assert f"{key}-unsaved" in (value.get_attribute("aria-describedby") or "").split()
    expect(page.locator(f"#{key} .kp-entry__state--saved:visible")).to_have_count(0)
    expect(page.locator("#entry-announcer")).to_contain_text(f"Eenheid Amsterdam × {m.count.name}: not saved.")
    # The counts stay at what is stored: nothing.
    for count in page.locator("[data-kp-entered]").all():
        expect(count).to_have_text("0")

    # Submitting is blocked, and says which cell is not saved.
    submit = page.get_by_role("button", name="Submit for approval")
    expect(submit).to_have_attribute("aria-disabled", "true")
    blocked = page.locator("#entry-unsaved")
    expect(blocked).to_be_visible()
    expect(blocked).to_contain_text(f"Not saved: Eenheid Amsterdam × {m.count.name}.")
    submit.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # a submit would have been sent by now
    assert not [url for url in posts if url.endswith("/indienen/")]
    assert not Figure.objects.exists()
    allow_problems(page, *SERVER_ERROR)
    visit.scan(page)  # the unsaved cell and the message pass axe
    page.wait_for_timeout(2000)  # longer than the retry delay: no third attempt
    assert len(saves) == 2

    # The connection drops once for the share's cell: the automatic retry saves it.
    page.unroute("**/cel/")
    dropped = []

    def drop_once(route) -> None:
        if dropped:
            route.continue_()
        else:
            dropped.append(route.request.url)
            route.abort("connectionfailed")

    page.route("**/cel/", drop_once)
    share_key = f"cell-{m.share.pk}-{w.unit_a.pk}"
    page.locator(f'input[name="{share_key}-numerator"]').focus()
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    expect(page.locator(f"#{share_key} .kp-entry__state--saved")).to_be_visible(timeout=10_000)
    assert dropped, "the first save was dropped"
    share_figure = Figure.objects.get(indicator=m.share)
    assert (share_figure.numerator, share_figure.denominator) == (5, 10)
    allow_problems(page, *DROPPED)

    # Leaving the unsaved cell again saves it; then submitting is allowed again.
    value.focus()
    page.keyboard.press("Tab")
    expect(page.locator(f"#{key} .kp-entry__state--saved")).to_be_visible()
    assert Figure.objects.get(indicator=m.count).value == 42
    expect(blocked).to_be_hidden()
    expect(submit).not_to_have_attribute("aria-disabled", "true")
    for count in page.locator("[data-kp-entered]").all():
        expect(count).to_have_text("2")
    allow_problems(page, *SERVER_ERROR, *DROPPED)
    visit.follow(page, submit.click)
    assert [url for url in posts if url.endswith("/indienen/")]


def test_the_comment_opens_with_alt_c_and_is_no_tab_stop(measures: Measures, page, visit, sign_in, live_server):
    m, w = measures, measures.world
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    expect(page.locator("#entry-keys")).to_contain_text("Alt+C opens the comment of the cell you are in")
    key = f"cell-{m.count.pk}-{w.unit_a.pk}"
    page.locator(f'input[name="{key}-value"]').focus()
    page.keyboard.type("7")
    page.keyboard.press("Alt+C")
    assert focused(page)["name"] == f"{key}-comment"
    page.keyboard.type("Telling na de storing")
    page.keyboard.press("Escape")
    assert focused(page)["name"] == f"{key}-value"
    page.keyboard.press("Enter")  # on to the next field; this cell saves, the grid is not posted
    expect(page.locator(f"#{key} .kp-entry__state--saved")).to_be_visible()
    figure = Figure.objects.get(indicator=m.count)
    assert (figure.value, figure.comment) == (7, "Telling na de storing")
    visit.scan(page)


def first_column_in_view(wrap) -> list[dict]:
    """Scroll the table's wrapper to its far end; for each row, whether its first cell is still
    inside the wrapper and on top (not covered) where it is drawn."""
    return wrap.evaluate(
        """wrap => Array.from(wrap.querySelectorAll('tbody tr'))
            .filter(row => !row.firstElementChild.hasAttribute('colspan'))
            .map(row => {
              row.scrollIntoView({block: 'center'});
              wrap.scrollLeft = wrap.scrollWidth;
              const box = wrap.getBoundingClientRect();
              const first = row.firstElementChild.getBoundingClientRect();
              const hit = document.elementFromPoint(first.left + 4, first.top + first.height / 2);
              return {
                text: row.firstElementChild.textContent.trim(),
                scrolled: wrap.scrollLeft,
                inView: first.left >= box.left - 1 && first.right <= box.right + 1,
                onTop: !!hit && row.firstElementChild.contains(hit),
              };
            })"""
    )


def test_at_phone_width_every_cell_shows_its_unit(measures: Measures, page, visit, sign_in, live_server):
    m, w = measures, measures.world
    units, indicators = five_units_three_indicators(m)
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    page.set_viewport_size(PHONE)
    visit(page, reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    wraps = page.locator(".kp-entry-section .kp-table-wrap")
    expect(wraps).to_have_count(len(indicators))
    for wrap in wraps.all():
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "the grid is wider than a phone here"
        rows = first_column_in_view(wrap)
        assert [row["text"] for row in rows] == [unit.name for unit in units]
        for row in rows:
            assert row["scrolled"] > 0 and row["inView"] and row["onTop"], row

    # The same for a wide table elsewhere: the indicator page's units × 24 periods.
    visit(page, reverse("ambitions:indicator_detail", args=[w.chain.slug, m.share.pk]))
    wrap = page.locator(".kp-table-wrap[aria-labelledby=units-heading]")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    rows = first_column_in_view(wrap)
    assert rows
    for row in rows:
        assert row["scrolled"] > 0 and row["inView"] and row["onTop"], row
