"""An analyst follows Rafah by e-mail and makes a feed key, in a real browser; the screenshot is kept at
var/screenshots/alert-subscription-1400.png, and nothing leaves this machine."""

from __future__ import annotations

import pytest

from alerts.models import AlertSubscription, FeedToken
from tests.browser.conftest import SCREENSHOTS
from tracker.demo import load_demo

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_analyst_follows_rafah_by_email_and_gets_a_feed(reference_data, analyst, live_server, browser_page):
    analyst.email = "charlie@example.org"
    analyst.save(update_fields=["email"])
    load_demo()
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    page.wait_for_url(f"{live_server.url}/alerts/")
    assert page.get_by_test_id("no-subscriptions").is_visible()

    page.get_by_label("Crossing").select_option(label="Rafah")
    page.get_by_label("Every kind of traffic").uncheck()
    page.get_by_label("People").check()
    page.get_by_label("Humanitarian aid").check()
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Follow by e-mail").click()
    page.wait_for_url(f"{live_server.url}/alerts/")

    listed = page.get_by_test_id("subscriptions").inner_text()
    assert "Rafah: Humanitarian aid, People (a daily digest)" in listed
    assert "You follow Rafah by e-mail." in page.inner_text("main")
    assert sorted(AlertSubscription.objects.values_list("traffic", flat=True)) == ["aid", "people"]

    page.get_by_label("Name it (optional)").fill("Office feed reader")
    page.get_by_role("button", name="Make a feed key").click()
    page.wait_for_url(f"{live_server.url}/alerts/")
    box = page.get_by_test_id("new-feed-key")
    key = FeedToken.objects.get(user=analyst)
    assert box.get_by_label("Your new feed key").input_value().startswith(key.prefix + "_")
    feed_url = box.get_by_label("Rafah").input_value()
    assert feed_url.startswith(f"{live_server.url}/alerts/feeds/{key.prefix}_")
    assert feed_url.endswith("/crossings/rafah.atom")
    # The page fits its width: no address runs off the side.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "alert-subscription-1400.png"), full_page=True)

    response = page.request.get(feed_url)
    assert response.status == 200
    assert "<feed" in response.text() and "Rafah" in response.text()
    assert requests.outside == []
