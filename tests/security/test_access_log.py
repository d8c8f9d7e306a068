"""gunicorn's access log does not keep customer-link tokens (issue 19, notes)."""

import pytest
import requests
from django.db import connection

from cxportal.access_log import mask_link_tokens
from interactions.services import feedback_url, interaction_log
from interactions.tests.factories import CustomerFactory
from tests.harness import Web


def test_link_tokens_are_cut_to_four_characters_in_every_kind_of_link():
    assert mask_link_tokens("GET /feedback/abcdefghijkl/ HTTP/1.1") == "GET /feedback/abcd…/ HTTP/1.1"
    assert mask_link_tokens("/feedback/recovered/abcdefghijkl/?x=1") == "/feedback/recovered/abcd…/?x=1"
    assert mask_link_tokens("https://cx.example.com/status/abcdefghijkl/") == "https://cx.example.com/status/abcd…/"
    assert mask_link_tokens("/unsubscribe/abcdefghijkl") == "/unsubscribe/abcd…"
    assert mask_link_tokens("GET /api/interactions/?page=2 HTTP/1.1") == "GET /api/interactions/?page=2 HTTP/1.1"


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_masks_a_feedback_token(frontline, team):
    url = feedback_url(interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="chat"))
    path = url[url.index("/feedback/"):]
    token = path.split("/")[2]
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{settings_dict['NAME']}"
    else:
        database_url = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
            f"/{settings_dict['NAME']}"
        )
    web = Web({"DATABASE_URL": database_url}, workers=1).start()
    try:
        status = requests.get(web.url + path, timeout=10).status_code
    finally:
        web.proc.terminate()  # gunicorn flushes its log on the way out
        web.proc.wait(timeout=15)
        log = web.output()
        web.close()
    assert status == 200
    assert f"/feedback/{token[:4]}…/" in log
    assert token not in log
