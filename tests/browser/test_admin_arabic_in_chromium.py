"""The editors' admin in Arabic, in Chromium at 1,400 pixels (issue 17): the queue of status suggestions and the
decision page read right to left (the evidence, first in the page, on the right; the proposal on the left), in
Arabic, and fit the screen. Screenshots under var/screenshots/rtl-admin-*-1400.png; nothing leaves this machine."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tracker import services
from tracker.demo import load_demo
from tracker.models import CrossingStatus, Report

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)
WIDTH = 1400

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAYOUT_JS = """() => {
    const box = sel => {
        const el = document.querySelector(sel);
        return el ? el.getBoundingClientRect().toJSON() : null;
    };
    return {
        dir: document.documentElement.dir,
        lang: document.documentElement.lang,
        width: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        evidence: box('section.decision-evidence'),
        proposal: box('section.decision-form'),
    };
}"""


def test_suggestion_queue_and_decision_page_read_right_to_left_in_arabic(
    reference_data, editor, live_server, browser_page
):
    page, requests = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    load_demo()
    report = Report.objects.filter(review_state=Report.ReviewState.RELEVANT).first()
    crossing = CrossingStatus.objects.select_related("crossing").first().crossing  # type: ignore[union-attr]
    suggestion, _ = services.suggestion_raise(
        report=report,  # type: ignore[arg-type]
        crossing=crossing,
        proposed_status="open",
        traffic="aid",
        evidence="معبر رفح فُتح أمام شاحنات المساعدات.",
        matched_phrase="فُتح",
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    # The reader's choice of language, as the switcher keeps it (Django's language cookie).
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])

    page.goto(f"{live_server.url}/admin/tracker/statussuggestion/?state__exact=pending")
    layout = page.evaluate(LAYOUT_JS)
    assert (layout["dir"], layout["lang"]) == ("rtl", "ar")
    assert layout["scrollWidth"] <= WIDTH  # the list fits the screen
    listing = page.inner_text("#result_list")
    assert "مفتوح" in listing and "بالنسبة إلى المساعدات الإنسانية" in listing  # the glossary's words
    page.screenshot(path=str(SCREENSHOTS / "rtl-admin-suggestions-1400.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/tracker/statussuggestion/{suggestion.pk}/change/")
    layout = page.evaluate(LAYOUT_JS)
    assert (layout["dir"], layout["lang"]) == ("rtl", "ar")
    assert layout["scrollWidth"] <= WIDTH
    assert layout["evidence"]["x"] > layout["proposal"]["x"]  # what it rests on is read first: on the right
    assert page.get_by_role("button", name="القبول والنشر").is_visible()
    assert "ما يستند إليه" in page.inner_text("#evidence-heading")
    page.screenshot(path=str(SCREENSHOTS / "rtl-admin-decision-1400.png"), full_page=True)
    assert not requests.outside
