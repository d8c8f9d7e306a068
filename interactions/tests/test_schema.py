import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_documents_error_answers_of_the_interactions_api(api_as, frontline):
    response = api_as(frontline).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"400", "401", "403"} <= set(paths["/api/interactions/"]["post"]["responses"])
    assert {"401", "404"} <= set(paths["/api/interactions/{id}/"]["get"]["responses"])
    assert {"400", "401", "403", "404", "409"} <= set(paths["/api/customers/{id}/"]["delete"]["responses"])
    assert {"400", "401", "403", "404"} <= set(paths["/api/gestures/{id}/"]["patch"]["responses"])
    assert {"400", "401"} <= set(paths["/api/customers/"]["get"]["responses"])
    params = {p["name"] for p in paths["/api/interactions/"]["get"]["parameters"]}
    assert {"team", "customer", "level", "channel", "occurred_after", "occurred_before", "cursor"} <= params
