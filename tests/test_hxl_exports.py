"""Every CSV read as partners read it (issue 15, findings 1 to 3): libhxl parses it, its built-in schema and ours
(tests/data/hxl/schema.csv: types, required columns, allowed values) find no error, its date filters count right,
one value per cell lets a tag filter find a value, and pandas reads every time column with no format hints."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import hxl
import pandas as pd
import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.admin_forms import change_form_data
from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, agreement, country, status
from tests.test_pages_support import body
from tracker import services
from tracker.demo import load_demo
from tracker.models import (
    AgreementEligibility,
    AgreementParty,
    Crisis,
    Crossing,
    CrossingStatus,
    FlowCount,
    Report,
)
from tracker.models.accords import (
    AgreementEligibilityGroup,
    AgreementPartyRole,
    AidDisputeState,
    EvacuationAgreementState,
)
from tracker.models.crossings import CrossingKind, FlowCountMetric
from tracker.models.reference import CrisisState

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "data" / "hxl" / "schema.csv"

API_CSVS = {
    "crises": "/api/v1/crises/",
    "actors": "/api/v1/actors/",
    "crossings": "/api/v1/crossings/",
    "history": "/api/v1/crossings/rafah/history/",
    "disputes": "/api/v1/aid-disputes/",
    "agreements": "/api/v1/evacuation-agreements/",
    "timeline": "/api/v1/timeline/",
    "flows": "/api/v1/flows/",
    "reports": "/api/v1/reports/",
    "changes": "/api/v1/changes/",
    "webhooks": "/api/v1/webhooks/",
}


@pytest.fixture
def situation():
    """The demo, plus what makes every column speak: a reviewed report with several organisations cited by a
    status, a flow count, P-codes, a GLIDE number, an agreement with parties in each role and eligible groups."""
    load_demo()
    cited = Report.objects.get()
    services.report_review(report=cited, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    Report.objects.filter(pk=cited.pk).update(organisations=["OCHA", "Egypt", "WFP"], country_codes=["EGY", "PSE"])
    rafah = Crossing.objects.get(slug="rafah")
    Crossing.objects.filter(pk=rafah.pk).update(adm1_pcode="PS02", adm2_pcode="PS0205")
    Crisis.objects.filter(pk=rafah.crises.get().pk).update(glide="CE-2023-000191-PSE")
    status(rafah, "closed", datetime(2023, 10, 20, 9, 30, 15, 123456, tzinfo=UTC), "aid", report=cited)
    services.flow_count_record(
        crossing=rafah,
        day=date(2023, 10, 21),
        metric=FlowCount.Metric.AID_TRUCKS,
        value=20,
        source=SourceFactory(),
        recorded_by=None,
    )
    return rafah


def fetch(client, url: str) -> str:
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200, getattr(response, "content", b"")
    return body(response).lstrip("\ufeff")


def as_hxl(text: str, tmp_path: Path) -> hxl.model.Dataset:
    """Through a file, as a partner's download would be read (libhxl sniffs the header and hashtag rows)."""
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return hxl.data(str(path), hxl.InputOptions(allow_local=True)).cache()  # read once, filtered many times


def our_schema(dataset: str | None) -> hxl.validation.Schema:
    with SCHEMA.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, tags, *rules = rows
    which = tags.index("#meta+dataset")
    picked = [rule for rule in rules if dataset is None or rule[which] == "*" or dataset in rule[which].split("|")]
    return rows_schema([header, tags, *picked])


def rows_schema(rows: list[list[str]]) -> hxl.validation.Schema:
    return hxl.schema(hxl.data(rows))


def problems(schema: hxl.validation.Schema, data: hxl.model.Dataset, severities: set[str]) -> list[str]:
    found: list[str] = []

    def collect(error: hxl.validation.HXLValidationException) -> None:
        if error.rule.severity in severities:
            found.append(f"{error.rule.tag_pattern} {error.message} {error.value!r}")

    schema.callback = collect
    schema.validate(data)
    return found


@pytest.mark.parametrize("dataset", list(API_CSVS))
def test_every_api_csv_is_hxl_that_both_schemas_accept(partner_client, situation, tmp_path, dataset):
    text = fetch(partner_client, API_CSVS[dataset])
    data = as_hxl(text, tmp_path)
    header, hashtags = list(csv.reader(io.StringIO(text)))[:2]
    assert [column.display_tag for column in data.columns] == hashtags and len(header) == len(hashtags)
    assert list(data) is not None  # reads every row
    assert problems(hxl.schema(), data, {"error"}) == []
    assert problems(our_schema(dataset), data, {"error", "warning", "info"}) == []


def test_our_schema_finds_what_the_old_exports_got_wrong(tmp_path):
    """The schema is not a rubber stamp: the forms of issue 15 fail it."""
    bad = [
        ["recorded_at", "traffic", "eligible", "report", "status"],
        ["#date+recorded", "#meta+traffic", "#group+eligible+code", "#meta+id", "#status"],
        ["2025-11-03T09:46:04.840723+00:00", "aid; people", "dual_nationals; un_staff", "https://x.org/", "shut"],
    ]
    path = tmp_path / "bad.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(bad)
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    found = problems(our_schema(None), data, {"error"})
    for tag in ("#date", "#meta+traffic", "#group+eligible+code", "#meta+id", "#status"):
        pattern = str(hxl.model.TagPattern.parse(tag))  # as libhxl names a rule: attributes sorted
        assert any(problem.startswith(pattern + " ") for problem in found), (tag, found)


def test_the_schema_allows_exactly_the_models_choices():
    """Allowed values in tests/data/hxl/schema.csv follow the models: a new choice must be added there too."""
    with SCHEMA.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[2:]
    lists = {(row[0], row[1]): set(row[5].split("|")) for row in rows if row[5]}
    assert lists[("#status", "crossings|history|page-status|page-history|page-map")] == set(CrossingStatus.Status)
    assert lists[("#status", "crises")] == set(CrisisState)
    assert lists[("#status", "disputes")] == set(AidDisputeState)
    assert lists[("#status", "agreements")] == set(EvacuationAgreementState)
    assert lists[("#group+eligible+code", "agreements")] == set(AgreementEligibilityGroup)
    assert lists[("#indicator+code", "flows")] == set(FlowCountMetric)
    assert lists[("#loc+type+code", "crossings")] == set(CrossingKind)


def test_date_filters_count_right(partner_client, tmp_path):
    """Finding 1: with full timestamps in #date, libhxl read 2025-11-03 as 11 March and counted it before June."""
    crossing = CrossingFactory(name="Rafah")
    with time_machine.travel(datetime(2025, 3, 1, 8, tzinfo=UTC), tick=False):
        for day in (1, 2, 3):
            status(crossing, "closed", datetime(2025, 2, day, tzinfo=UTC))
    with time_machine.travel(datetime(2025, 11, 3, 9, 46, 4, 840723, tzinfo=UTC), tick=False):
        for day in (4, 5):
            status(crossing, "open", datetime(2025, 10, day, tzinfo=UTC))
    data = as_hxl(fetch(partner_client, "/api/v1/crossings/rafah/history/"), tmp_path)
    assert len(list(data.with_rows("#date+recorded<2025-06-01"))) == 3
    assert len(list(data.with_rows("#date+recorded>2025-06-01"))) == 2
    changes = as_hxl(fetch(partner_client, "/api/v1/changes/"), tmp_path)
    assert len(list(changes.with_rows("#date+recorded<2025-06-01"))) == 3
    rows = list(csv.DictReader(io.StringIO(fetch(partner_client, "/api/v1/changes/"))))[1:]
    assert {row["recorded_at"] for row in rows} == {"2025-03-01T08:00:00Z", "2025-11-03T09:46:04Z"}
    assert {row["recorded_at_date"] for row in rows} == {"2025-03-01", "2025-11-03"}


def test_one_value_per_cell_lets_a_tag_filter_find_a_value(partner_client, situation, tmp_path):
    """Finding 3: "OCHA; Egypt; WFP" in one cell hid Egypt from with_rows('#org+name=Egypt')."""
    reports = as_hxl(fetch(partner_client, "/api/v1/reports/"), tmp_path)
    assert len(list(reports.with_rows("#org+name=Egypt"))) == 1
    assert len(list(reports.with_rows("#country+code=PSE"))) == 1
    crossings = as_hxl(fetch(partner_client, "/api/v1/crossings/"), tmp_path)
    assert [row.get("#loc+crossing+code") for row in crossings.with_rows("#org+name+originating+aid=WFP")] == ["rafah"]
    text = fetch(partner_client, "/api/v1/crossings/")
    for line in list(csv.reader(io.StringIO(text)))[2:]:
        assert not any("; " in value for value in line), line


def test_agreements_spread_parties_by_role_and_eligible_groups(partner_client, situation, tmp_path):
    entity = agreement(situation.crises.get())
    AgreementParty.objects.create(agreement=entity, actor=situation_actor("egypt"), role=AgreementPartyRole.PARTY)
    AgreementParty.objects.create(agreement=entity, actor=situation_actor("qatar"), role=AgreementPartyRole.MEDIATOR)
    for group in (AgreementEligibilityGroup.DUAL_NATIONALS, AgreementEligibilityGroup.WOUNDED_AND_SICK):
        AgreementEligibility.objects.create(agreement=entity, group=group)
    data = as_hxl(fetch(partner_client, "/api/v1/evacuation-agreements/"), tmp_path)
    assert any(row.get("#event+agreement+code") == entity.slug for row in data.with_rows("#org+mediator=Qatar"))
    found = list(data.with_rows("#group+eligible=wounded_and_sick"))
    assert entity.slug in [row.get("#event+agreement+code") for row in found]
    assert problems(our_schema("agreements"), data, {"error"}) == []


def situation_actor(slug: str):
    from tracker.models import Actor

    return Actor.objects.get(slug=slug)


def test_names_in_arabic_and_hebrew_pcodes_and_glide(partner_client, situation, tmp_path):
    crossings = as_hxl(fetch(partner_client, "/api/v1/crossings/"), tmp_path)
    rafah = next(iter(crossings.with_rows("#loc+crossing+code=rafah")))
    assert "معبر رفح" in rafah.get_all("#loc+name+i_ar") and "מעבר רפיח" in rafah.get_all("#loc+name+i_he")
    assert rafah.get("#adm1+code") == "PS02" and rafah.get("#adm2+code") == "PS0205"
    crises = as_hxl(fetch(partner_client, "/api/v1/crises/"), tmp_path)
    assert [row.get("#crisis+code+glide") for row in crises] == ["CE-2023-000191-PSE"]


@pytest.mark.parametrize("dataset", ["crossings", "history", "reports", "changes", "webhooks"])
def test_pandas_reads_every_time_column_without_format_hints(partner_client, situation, dataset, api_webhook):
    frame = pd.read_csv(io.StringIO(fetch(partner_client, API_CSVS[dataset])), skiprows=[1], dtype=str)
    hashtags = next(csv.reader(io.StringIO(fetch(partner_client, API_CSVS[dataset]))))
    times = [c for c in frame.columns if c.endswith(("_at", "_since", "status_as_of"))]
    assert times, hashtags
    for column in times:
        values = frame[column].dropna()
        if values.empty:
            continue
        parsed = pd.to_datetime(values)  # no format=: one form in every cell
        assert str(parsed.dt.tz) == "UTC", column
    for column in [c for c in frame.columns if c.endswith("_date")]:
        pd.to_datetime(frame[column].dropna())


@pytest.fixture
def api_webhook(partner_token):
    """A webhook of the partner's, written directly: registering one through the API would resolve its host."""
    from tracker.api.models import Webhook

    Webhook.objects.create(token=partner_token.token, url="https://example.org/hook", secret="s" * 40)


# --- P-codes and GLIDE numbers: editable, validated, shown -------------------------------------------------------


def crossing_admin_post(client, crossing, **fields):
    url = reverse("admin:tracker_crossing_change", args=[crossing.pk])
    return client.post(url, {**change_form_data(client.get(url)), **fields})


def crisis_admin_post(client, crisis, **fields):
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])
    return client.post(url, {**change_form_data(client.get(url)), **fields})


def test_editors_set_pcodes_and_glide_in_the_admin(editor_client, partner_client):
    crossing = CrossingFactory(name="Rafah", side_a=country("EGY"), side_b=country("PSE"))
    response = crossing_admin_post(editor_client, crossing, adm1_pcode="PS02", adm2_pcode="PS0205")
    assert response.status_code == 302, response.content.decode()[:2000]
    crossing.refresh_from_db()
    assert (crossing.adm1_pcode, crossing.adm2_pcode) == ("PS02", "PS0205")
    crisis = CrisisFactory(name="Gaza 2023")
    assert crisis_admin_post(editor_client, crisis, glide="CE-2023-000191-PSE").status_code == 302
    crisis.refresh_from_db()
    assert crisis.glide == "CE-2023-000191-PSE"
    assert Crisis.history.filter(id=crisis.pk).first().glide == "CE-2023-000191-PSE"  # kept in its history
    shown = partner_client.get(f"/api/v1/crossings/{crossing.slug}/").json()
    assert (shown["adm1_pcode"], shown["adm2_pcode"]) == ("PS02", "PS0205")
    assert partner_client.get(f"/api/v1/crises/{crisis.slug}/").json()["glide"] == "CE-2023-000191-PSE"


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"adm1_pcode": "ps02"}, "adm1_pcode", "P-code is a two-letter country code"),
        ({"adm1_pcode": "PS-02"}, "adm1_pcode", "P-code is a two-letter country code"),
        ({"adm1_pcode": "PS"}, "adm1_pcode", "P-code is a two-letter country code"),
        ({"adm1_pcode": "IL02"}, "adm1_pcode", "does not begin with the code of either side"),
        ({"adm2_pcode": "PS0205"}, "adm1_pcode", "Give the first-level P-code too"),
        ({"adm1_pcode": "PS02", "adm2_pcode": "EG3401"}, "adm2_pcode", "Both P-codes must be of the same country"),
        ({"adm1_pcode": "PS02", "adm2_pcode": "IL0201"}, "adm2_pcode", "does not begin with the code of either side"),
    ],
)
def test_bad_pcodes_are_refused_with_the_reason(editor_client, fields, field, says):
    crossing = CrossingFactory(name="Rafah", side_a=country("EGY"), side_b=country("PSE"))
    response = crossing_admin_post(editor_client, crossing, **fields)
    assert response.status_code == 200
    assert says in " ".join(response.context["adminform"].form.errors.get(field, [])), response.context[
        "adminform"
    ].form.errors
    crossing.refresh_from_db()
    assert (crossing.adm1_pcode, crossing.adm2_pcode) == ("", "")  # nothing half-written


@pytest.mark.parametrize("glide", ["CE-2023-191-PSE", "ce-2023-000191-pse", "CE-2023-000191-PS", "CE2023000191PSE"])
def test_bad_glide_numbers_are_refused(editor_client, glide):
    crisis = CrisisFactory(name="Gaza 2023")
    response = crisis_admin_post(editor_client, crisis, glide=glide)
    assert response.status_code == 200
    assert "GLIDE number reads hazard-year-serial-country" in " ".join(
        response.context["adminform"].form.errors["glide"]
    )
    crisis.refresh_from_db()
    assert crisis.glide == ""


def test_one_glide_number_names_one_crisis(editor_client):
    CrisisFactory(name="Gaza 2023", glide="CE-2023-000191-PSE")
    other = CrisisFactory(name="Gaza 2023 (copy)")
    response = crisis_admin_post(editor_client, other, glide="CE-2023-000191-PSE")
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert CrisisFactory(name="Blank one").glide == "" and CrisisFactory(name="Blank two").glide == ""


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("crossing", {"adm1_pcode": "ps02"}),
        ("crossing", {"adm2_pcode": "PS0205"}),
        ("crisis", {"glide": "not-a-glide"}),
    ],
)
def test_the_database_refuses_what_the_forms_refuse(model, fields):
    """Any other path (raw update, a future script) meets the same rules as check constraints."""
    row = CrossingFactory(name="Rafah") if model == "crossing" else CrisisFactory(name="Gaza")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**fields)


@pytest.mark.slow
def test_sqlite_history_stays_append_only_after_migration_0009(tmp_path):
    """SQLite rebuilds a table to add a NOT NULL column or a check, which drops its triggers: 0009 puts back the
    append-only triggers of the crossing and crisis history tables, going forward and back."""
    import os
    import sqlite3
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def guarded() -> set[str]:
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            rows = db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        return {name for table, name in rows if table in ("tracker_historicalcrossing", "tracker_historicalcrisis")}

    expected = {f"tracker_historical{model}_no_{op}" for model in ("crossing", "crisis") for op in ("update", "delete")}
    manage("migrate", "tracker", "0009", "--noinput")
    assert guarded() == expected
    manage("migrate", "tracker", "0008", "--noinput")
    assert guarded() == expected
    manage("migrate", "tracker", "0009", "--noinput")
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute(
            "INSERT INTO tracker_historicalcrisis (id, name, slug, summary, started_on, state, glide, version, "
            "history_date, history_type) VALUES (1, 'Gaza', 'gaza', '', '2023-10-07', 'active', '', 1, "
            "'2023-10-07', '+')"
        )
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE tracker_historicalcrisis SET glide = 'CE-2023-000191-PSE'")


def test_a_hidden_reports_organisations_do_not_shape_the_crossings_csv(partner_client):
    """A row's report judged not relevant after the row was retracted is blank in every cell; it must not widen
    the export either (columns only it fills, in the CSV and the open-data Table Schema built from them)."""
    crossing = CrossingFactory(slug="rafah")
    source = SourceFactory()
    hidden = services.report_store(source=source, title="Misread", published_at=datetime(2023, 10, 1, tzinfo=UTC))
    services.report_review(report=hidden.report, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    Report.objects.filter(pk=hidden.report.pk).update(organisations=["A", "B", "C", "D"])
    row = status(crossing, CrossingStatus.Status.CLOSED, datetime(2023, 10, 2, tzinfo=UTC), report=hidden.report)
    services.crossing_retract_status(status_row=row, recorded_by=None, reason="Misread")
    services.report_review(report=hidden.report, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=None)

    header = next(csv.reader(io.StringIO(fetch(partner_client, "/api/v1/crossings/?format=csv"))))

    # One column per kind, as with no organisation anywhere; not the hidden report's four.
    assert [name for name in header if "_people_report_organisation" in name] == ["status_people_report_organisation_1"]


@pytest.mark.django_db
def test_coordinates_west_or_south_are_numbers_pandas_reads(partner_client):
    """A negative coordinate (a Decimal) is written as a number, not defused as if it began a formula."""
    CrossingFactory(name="Far west", latitude="-12.250000", longitude="-73.500000")
    frame = pd.read_csv(io.StringIO(fetch(partner_client, "/api/v1/crossings/?format=csv")), skiprows=[1])
    row = frame[frame["crossing_name"] == "Far west"].iloc[0]
    assert row["latitude"] == -12.25 and row["longitude"] == -73.5
    assert frame["longitude"].dtype.kind == "f"
