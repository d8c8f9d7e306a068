"""Customer links (feedback, case status): unguessable, not recoverable from a database leak.

A link's token is an HMAC of a random per-row nonce under the SECRET_KEY (128 bits,
hex). The database stores only the nonce and the SHA-256 of the token, so a leaked database
yields no working link, while the app can still show the link to staff at any time.
"""

import functools
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes

TOKEN_HEX_CHARS = 32  # 128 bits


def new_nonce() -> str:
    return secrets.token_hex(16)


def link_token(*, purpose: str, nonce: str) -> str:
    """The customer-facing token for a row's link; `purpose` keeps feedback and status tokens apart.

    Django's salted_hmac(f"cxportal.link.{purpose}", nonce, algorithm="sha256"), with the derived key
    kept per purpose and secret: a list page writes 50 links, and deriving the key was half the cost.
    """
    key = _link_key(purpose, settings.SECRET_KEY)
    return hmac.digest(key, force_bytes(nonce), "sha256").hex()[:TOKEN_HEX_CHARS]


@functools.lru_cache(maxsize=16)
def _link_key(purpose: str, secret: str) -> bytes:
    # salted_hmac's key: sha256(key_salt + secret).
    return hashlib.sha256(force_bytes(f"cxportal.link.{purpose}") + force_bytes(secret)).digest()


def new_link(*, purpose: str) -> tuple[str, str]:
    """A fresh (nonce, digest) pair to store on a row."""
    nonce = new_nonce()
    return nonce, token_digest(link_token(purpose=purpose, nonce=nonce))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(token: str) -> bool:
    return len(token) == TOKEN_HEX_CHARS and all(c in "0123456789abcdef" for c in token)


def token_matches(token: str, digest: str) -> bool:
    return constant_time_compare(token_digest(token), digest)
