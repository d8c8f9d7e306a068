import pytest

from accounts.models import Team, TeamSettingChange, User
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_login_returns_a_working_token(api, frontline):
    response = api.post("/api/auth/token/", {"username": "fiona", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "fiona"
    assert me.json()["role"] == "frontline"


def test_token_login_with_a_wrong_password_is_refused(api, frontline):
    response = api.post("/api/auth/token/", {"username": "fiona", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize("body", [{}, {"username": "fiona"}, {"password": "x"}, {"username": ["a"], "password": 3}])
def test_token_login_with_missing_fields_names_them(api, frontline, body):
    response = api.post("/api/auth/token/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"username", "password"}


def test_session_login_page_and_dashboard(client, frontline):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = client.post("/accounts/login/", {"username": "fiona", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_dashboard_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_api_is_401(api, db):
    assert api.get("/api/users/me/").status_code == 401
    assert api.get("/api/teams/").status_code == 401


def test_admin_creates_a_team_and_a_user(api_as, admin_user):
    api = api_as(admin_user)
    response = api.post("/api/teams/", {"name": "Lisbon", "timezone": "Europe/Lisbon"}, format="json")
    assert response.status_code == 201, response.json()
    team = response.json()
    assert team["sla_criminal_fix_hours"] == 4 and team["sla_basic_fix_hours"] == 24
    assert team["sla_surprise_hours"] == 48 and team["familiarity_window_days"] == 365
    assert team["drift_min_customers"] == 20 and float(team["drift_share"]) == 0.5
    response = api.post(
        "/api/users/",
        {"username": "rui", "password": "a-long-passphrase-1", "email": "rui@example.com", "role": "manager",
         "teams": [team["id"]], "approval_limit": "250.00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert body["teams"] == [team["id"]] and body["role"] == "manager" and body["approval_limit"] == "250.00"
    assert User.objects.get(username="rui").check_password("a-long-passphrase-1")


def test_a_superuser_is_an_admin(api_as, db):
    boss = User.objects.create_superuser("boss", "boss@example.com", "x-long-password-1")
    response = api_as(boss).post("/api/teams/", {"name": "HQ", "timezone": "UTC"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["frontline", "manager"])
def test_frontline_and_managers_cannot_create_teams_or_users(api_as, who, request):
    api = api_as(request.getfixturevalue(who))
    assert api.post("/api/teams/", {"name": "X", "timezone": "UTC"}, format="json").status_code == 403
    response = api.post("/api/users/", {"username": "x", "password": "a-long-passphrase-1"}, format="json")
    assert response.status_code == 403
    assert not Team.objects.filter(name="X").exists() and not User.objects.filter(username="x").exists()


def test_nobody_sees_another_teams_users_or_settings(api_as, frontline, manager, other_frontline, other_team):
    api = api_as(frontline)
    names = {u["username"] for u in api.get("/api/users/").json()["results"]}
    assert names == {"fiona", "manny"}
    assert api.get(f"/api/users/{other_frontline.id}/").status_code == 404
    teams = api.get("/api/teams/").json()["results"]
    assert [t["name"] for t in teams] == ["Team A"]
    assert api.get(f"/api/teams/{other_team.id}/").status_code == 404


def test_manager_changes_their_teams_settings_with_an_audit_row(api_as, manager, team):
    response = api_as(manager).patch(f"/api/teams/{team.id}/", {"sla_basic_fix_hours": 12}, format="json")
    assert response.status_code == 200, response.json()
    team.refresh_from_db()
    assert team.sla_basic_fix_hours == 12
    change = TeamSettingChange.objects.get(team=team)
    assert (change.field, change.old_value, change.new_value, change.actor) == ("sla_basic_fix_hours", "24", "12", manager)


def test_frontline_cannot_change_team_settings(api_as, frontline, team):
    response = api_as(frontline).patch(f"/api/teams/{team.id}/", {"sla_basic_fix_hours": 1}, format="json")
    assert response.status_code == 403
    team.refresh_from_db()
    assert team.sla_basic_fix_hours == 24


@pytest.mark.parametrize(
    "body,field",
    [
        ({"timezone": "UTC"}, "name"),
        ({"name": "Y", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "Y", "sla_criminal_fix_hours": "soon"}, "sla_criminal_fix_hours"),
        ({"name": "Y", "drift_share": "1.5"}, "drift_share"),
        ({"name": "Y", "say_yes_threshold": "-1"}, "say_yes_threshold"),
        ({"name": "Team A"}, "name"),
    ],
)
def test_bad_team_input_is_400_with_the_field(api_as, admin_user, team, body, field):
    response = api_as(admin_user).post("/api/teams/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"password": "a-long-passphrase-1"}, "username"),
        ({"username": "new"}, "password"),
        ({"username": "new", "password": "short"}, "password"),
        ({"username": "new", "password": "a-long-passphrase-1", "role": "king"}, "role"),
        ({"username": "new", "password": "a-long-passphrase-1", "teams": [999999]}, "teams"),
        ({"username": "new", "password": "a-long-passphrase-1", "email": "not-an-email"}, "email"),
        ({"username": "fiona", "password": "a-long-passphrase-1"}, "username"),
        ({"username": "bad name!", "password": "a-long-passphrase-1"}, "username"),
        ({"username": "new", "password": "a-long-passphrase-1", "approval_limit": "-5"}, "approval_limit"),
    ],
)
def test_bad_user_input_is_400_with_the_field(api_as, admin_user, frontline, body, field):
    response = api_as(admin_user).post("/api/users/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_malformed_json_is_400(api_as, admin_user):
    response = api_as(admin_user).generic("POST", "/api/teams/", '{"name": ', content_type="application/json")
    assert response.status_code == 400


def test_openapi_schema_and_docs_are_served(api_as, frontline, client):
    response = api_as(frontline).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/users/me/" in response.content
    client.force_login(frontline)
    assert client.get("/api/docs/").status_code == 200


def test_interactive_docs_load_their_assets_from_our_own_origin(client, frontline):
    client.force_login(frontline)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "<script>" not in html  # CSP: no inline script, no CDN
    assert "script-src 'self'" in page["Content-Security-Policy"]
