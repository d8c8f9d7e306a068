"""CSV import: every row checked first, all or nothing, idempotent on the external id, re-scored after."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from imports.models import ImportedRecord, ImportRun
from imports.services import csv_import
from interactions.models import Customer, Interaction, LevelChange
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase
from webhooks import services as webhook_services
from webhooks.models import WebhookEvent

CUSTOMERS = """external_id,name,email,phone,preferred_channel,language
zd-1,Anna de Vries,anna@example.com,+31 20 123 4567,email,nl
zd-2,Bram Jansen,bram@example.com,,phone,
zd-3,Chris Peters,,,,en
"""
CUSTOMERS_ONE_BAD = """external_id,name,email,phone,preferred_channel,language
zd-1,Anna de Vries,anna@example.com,,email,nl
zd-2,Bram Jansen,not-an-address,,fax,
zd-3,Chris Peters,,,,en
"""
INTERACTIONS = """external_id,customer,channel,occurred_at,summary,promise_kept,issues,matched_preference,gestures
t-1,zd-1,email,2026-03-01T10:00:00+00:00,Invoice question,true,,false,
t-2,zd-1,phone,2026-03-05 09:30,Delivery was late,true,late;chased,no,
t-3,zd-2,email,2026-03-02T12:00:00Z,Order lost,false,,false,
t-4,zd-1,in_person,2026-03-10 15:00,Birthday visit,true,,yes,Free dessert
t-5,zd-1,in_person,2026-03-12 15:00,Another visit,true,,yes,Free dessert
"""


def run(actor, team, kind, text, **kwargs):
    return csv_import(actor=actor, team=team, kind=kind, data=text.encode(), filename=f"{kind}.csv", **kwargs)


@pytest.mark.django_db
def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_fields(manager, team):
    result = run(manager, team, "customers", CUSTOMERS_ONE_BAD)
    assert not result.ok
    assert [(e.row, e.field) for e in result.errors] == [(3, "email"), (3, "preferred_channel")]
    assert not Customer.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.django_db
def test_the_same_file_twice_imports_once(manager, team):
    first = run(manager, team, "customers", CUSTOMERS)
    second = run(manager, team, "customers", CUSTOMERS)
    assert (first.created, first.already_imported) == (3, 0)
    assert (second.created, second.already_imported) == (0, 3)
    assert Customer.objects.filter(team=team).count() == 3
    anna = Customer.objects.get(email="anna@example.com")
    assert (anna.language, anna.preferred_channel, anna.phone) == ("nl", "email", "+31 20 123 4567")


@pytest.mark.django_db
def test_a_customer_already_in_the_app_is_matched_by_email_not_doubled(manager, team):
    typed = CustomerFactory(team=team, name="Anna", email="ANNA@example.com")
    result = run(manager, team, "customers", CUSTOMERS)
    assert (result.created, result.matched) == (2, 1)
    assert ImportedRecord.objects.get(external_id="zd-1").object_id == typed.pk


@pytest.mark.django_db
def test_past_interactions_are_scored_in_order_open_no_cases_send_no_webhooks_and_import_once(manager, team, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    webhook_services.subscription_create(actor=manager, team=team, url="http://127.0.0.1:9/hook", events=["interaction.logged", "case.opened"])
    GestureFactory(team=team, name="Free dessert", base_level=5)
    run(manager, team, "customers", CUSTOMERS)
    result = run(manager, team, "interactions", INTERACTIONS)
    assert result.ok and result.created == 5, result.errors
    levels = {r.external_id: Interaction.objects.get(pk=r.object_id) for r in ImportedRecord.objects.filter(kind="interactions")}
    assert {k: i.level for k, i in levels.items()} == {"t-1": 3, "t-2": 2, "t-3": 1, "t-4": 5, "t-5": 4}
    assert levels["t-2"].issues == ["late", "chased"]
    assert levels["t-2"].occurred_at.isoformat() == "2026-03-05T08:30:00+00:00"  # the team's time zone (Amsterdam)
    assert not RecoveryCase.objects.exists() and not WebhookEvent.objects.exists()
    assert set(LevelChange.objects.values_list("cause", flat=True)) == {"imported"}
    again = run(manager, team, "interactions", INTERACTIONS)
    assert (again.created, again.already_imported) == (0, 5) and Interaction.objects.count() == 5


@pytest.mark.django_db
def test_importing_earlier_history_re_scores_the_interactions_already_in_the_app(manager, frontline, team):
    from datetime import datetime, UTC

    dessert = GestureFactory(team=team, name="Free dessert", base_level=5)
    run(manager, team, "customers", CUSTOMERS)
    anna = Customer.objects.get(email="anna@example.com")
    today = interaction_log(actor=frontline, customer=anna, channel="in_person", gestures=[dessert],
                            occurred_at=datetime(2026, 3, 20, 12, tzinfo=UTC))
    assert today.level == 5  # the first dessert surprises
    run(manager, team, "interactions", INTERACTIONS)  # two desserts before it, in March
    today.refresh_from_db()
    assert today.level < 5
    assert today.level_changes.last().cause == "imported"


@pytest.mark.django_db
def test_interactions_naming_an_unknown_customer_or_gesture_are_refused_by_row(manager, team):
    run(manager, team, "customers", CUSTOMERS)
    result = run(manager, team, "interactions", INTERACTIONS.replace("t-3,zd-2", "t-3,zd-99"))
    assert [(e.row, e.field) for e in result.errors] == [(4, "customer"), (5, "gestures"), (6, "gestures")]
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_missing_columns_duplicates_and_bad_values_are_reported(manager, team):
    assert run(manager, team, "customers", "name,email\nAnna,a@example.com\n").errors[0].field == "file"
    dup = run(manager, team, "customers", "external_id,name\nx,Anna\nx,Bram\n")
    assert [(e.row, e.field) for e in dup.errors] == [(3, "external_id")]
    bad = run(manager, team, "interactions", "external_id,customer,channel,occurred_at,promise_kept\n1,c,fax,yesterday,maybe\n")
    assert {e.field for e in bad.errors} == {"channel", "occurred_at", "promise_kept"}
    not_utf8 = csv_import(actor=manager, team=team, kind="customers", data="external_id,name\nx,Zoë\n".encode("utf-16"))
    assert [e.field for e in not_utf8.errors] == ["file"] and "UTF-8" in not_utf8.errors[0].messages[0]


@pytest.mark.django_db
def test_only_managers_of_the_team_import(frontline, other_manager, team):
    from django.core.exceptions import PermissionDenied

    for actor in (frontline, other_manager):
        with pytest.raises(PermissionDenied):
            run(actor, team, "customers", CUSTOMERS)


@pytest.mark.django_db
def test_the_command_imports_and_refuses_with_every_error(manager, team, tmp_path):
    good, bad = tmp_path / "customers.csv", tmp_path / "bad.csv"
    good.write_text(CUSTOMERS)
    bad.write_text(CUSTOMERS_ONE_BAD)
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 2 error"):
        call_command("import_csv", "customers", str(bad), team=team.pk, user=manager.username, stderr=err)
    assert "row 3, email" in err.getvalue() and not Customer.objects.exists()
    out = StringIO()
    call_command("import_csv", "customers", str(good), team=team.pk, user=manager.username, dry_run=True, stdout=out)
    assert "would import 3 new" in out.getvalue() and not Customer.objects.exists()
    call_command("import_csv", "customers", str(good), team=team.pk, user=manager.username, stdout=out)
    call_command("import_csv", "customers", str(good), team=team.pk, user=manager.username, stdout=out)
    assert "imported 0 new, 3 already imported" in out.getvalue() and Customer.objects.count() == 3


@pytest.mark.django_db
def test_the_page_shows_each_bad_row_then_imports_the_fixed_file(manager, frontline, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(manager)
    url = reverse("imports:import", args=[team.pk])
    response = client.post(url, {"kind": "customers", "file": SimpleUploadedFile("c.csv", CUSTOMERS_ONE_BAD.encode())})
    page = response.content.decode()
    assert response.status_code == 400 and page.count('class="row-error"') == 2 and "Nothing was imported" in page
    response = client.post(url, {"kind": "customers", "file": SimpleUploadedFile("c.csv", CUSTOMERS.encode())})
    assert response.status_code == 200 and "3 rows: 3 new, 0 imported before." in response.content.decode()
    frontline_client = Client()
    frontline_client.force_login(frontline)
    assert frontline_client.get(url).status_code == 403
