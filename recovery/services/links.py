"""The customer's links to a case: its status page, and the question how the recovery felt.

Each is an HMAC of a random nonce (`interactions.links`); the database keeps only the nonce and the
token's digest. A link expires `PUBLIC_LINK_MAX_AGE_DAYS` after the case opened or closed.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from interactions import links

from ..models import RecoveryCase

STATUS = "status"
RECOVERED = "recovered"


def case_status_url(case: RecoveryCase) -> str:
    return f"{settings.SITE_URL}/status/{links.link_token(purpose=STATUS, nonce=case.status_nonce)}/"


def recovered_token(case: RecoveryCase) -> str:
    return links.link_token(purpose=RECOVERED, nonce=case.recovered_nonce)


def case_recovered_url(case: RecoveryCase) -> str:
    return f"{settings.SITE_URL}/feedback/recovered/{recovered_token(case)}/"


def _link_expired(since: datetime | None) -> bool:
    return since is None or since < timezone.now() - timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS)


def case_by_status_token(token: str) -> RecoveryCase | None:
    """The case a customer's status link points to, or None (unknown, malformed or expired)."""
    if not links.looks_like_token(token):
        return None
    case = RecoveryCase.objects.select_related("team").filter(status_digest=links.token_digest(token)).first()
    if case is None or _link_expired(case.closed_at or case.opened_at):
        return None
    return case


def case_by_recovered_token(token: str) -> RecoveryCase | None:
    """The closed case a recovered-level link points to, or None; the link works only after closing."""
    if not links.looks_like_token(token):
        return None
    case = RecoveryCase.objects.select_related("team").filter(recovered_digest=links.token_digest(token)).first()
    if case is None or case.status != RecoveryCase.Status.CLOSED or _link_expired(case.closed_at):
        return None
    return case
