"""Who may read the status pages: analysts, editors and superusers; anyone only when the setting opens them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.test_pages_support import build_situation, text
from tracker.roles import ANALYSTS

pytestmark = pytest.mark.django_db

PAGES = ["/", "/timeline/", "/reports/", "/map/", "/reports/?q=closed", "/?format=csv"]


@pytest.fixture
def situation():  # type: ignore[no-untyped-def]
    return build_situation(1)


def detail_pages(situation) -> list[str]:  # type: ignore[no-untyped-def]
    crossing = situation.crossings[0]
    return [
        f"/crises/{situation.crisis.slug}/",
        f"/crossings/{crossing.slug}/",
        f"/disputes/{crossing.disputes.get().slug}/",
        f"/agreements/{crossing.agreements.get().slug}/",
    ]


def test_anonymous_readers_are_sent_to_sign_in(client, situation):
    for url in PAGES + detail_pages(situation):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_signed_in_account_outside_the_groups_is_refused(client, django_user_model, situation):
    client.force_login(django_user_model.objects.create_user(username="dana", password="pw-for-tests-only"))
    for url in PAGES + detail_pages(situation):
        response = client.get(url)
        assert response.status_code == 403, url
    assert "neither group" in text(response)


def test_inactive_accounts_cannot_read(client, analyst, situation):
    client.force_login(analyst)
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("who", ["analyst", "editor", "superuser"])
def test_analysts_editors_and_superusers_read_every_page(client, request, who, situation):
    client.force_login(request.getfixturevalue(who))
    for url in PAGES + detail_pages(situation):
        assert client.get(url).status_code == 200, url


def test_analyst_group_alone_is_enough(client, django_user_model, situation):
    reader = django_user_model.objects.create_user(username="erin", password="pw-for-tests-only")
    reader.groups.add(Group.objects.get(name=ANALYSTS))
    client.force_login(reader)
    assert client.get("/").status_code == 200


def test_setting_opens_the_pages_to_anonymous_readers_without_unreviewed_material(client, settings, situation):
    settings.PAGES_OPEN_TO_ANONYMOUS = True
    for url in PAGES + detail_pages(situation):
        assert client.get(url).status_code == 200, url
    page = text(client.get("/reports/"))
    assert "Unreviewed" not in page and "Crossing" in page
    assert "For editors" not in text(client.get("/"))


def test_sign_in_page_is_ours_and_signs_in(client, analyst):
    page = client.get("/accounts/login/?next=/map/")
    assert page.status_code == 200
    assert "The situation tracker is for analysts and editors" in text(page)
    response = client.post(
        "/accounts/login/", {"username": "charlie", "password": "pw-for-tests-only", "next": "/map/"}
    )
    assert response.status_code == 302 and response["Location"] == "/map/"
    assert client.get("/map/").status_code == 200


def test_wrong_password_is_told_and_does_not_sign_in(client, analyst):
    response = client.post("/accounts/login/", {"username": "charlie", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)
    assert client.get("/").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(analyst_client):
    assert analyst_client.get("/").status_code == 200
    response = analyst_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert analyst_client.get("/").status_code == 302


def test_pages_refuse_writes(analyst_client):
    assert analyst_client.post("/").status_code == 405
    assert analyst_client.delete("/reports/").status_code == 405
