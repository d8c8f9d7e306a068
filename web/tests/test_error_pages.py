"""403, 404 and 500 are pages of the app: the navigation, a way back, the viewer's language."""

from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from core.views import server_error


def test_a_page_the_role_does_not_allow_is_a_403_with_the_navigation(client, frontline):
    client.force_login(frontline)
    response = client.get("/jobs/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in html and 'aria-label="Main"' in html and 'href="/log/"' in html
    assert "Back to the dashboard" in html


def test_the_403_page_speaks_the_viewers_language(client, team):
    dutch = UserFactory(username="daan", teams=[team], language="nl")
    client.force_login(dutch)
    html = client.get("/jobs/").content.decode()
    assert "Geen toegang" in html and "Terug naar het dashboard" in html and 'lang="nl"' in html


def test_an_unknown_address_is_a_404_with_a_way_back(client, frontline):
    assert "Log in" in client.get("/no-such-page/").content.decode()  # anonymous: to the login
    client.force_login(frontline)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'aria-label="Main"' in html and 'href="/"' in html


def test_the_500_page_has_the_navigation_for_a_signed_in_viewer(frontline):
    request = RequestFactory().get("/")
    request.user = frontline
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'aria-label="Main"' in html
