"""`Authorization: Token <token>` against hashed, expiring, revocable tokens (accounts.models.ApiToken)."""

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken
from accounts.services import token_digest


class HashedTokenAuthentication(TokenAuthentication):
    """The token is looked up by its SHA-256 digest; an expired one, one made before the user's
    password last changed, or one of an inactive user is refused (401)."""

    def authenticate_credentials(self, key):
        if len(key) > 200:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This token has expired; ask for a new one.")
        user = token.user
        marks = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]  # SECRET_KEY_FALLBACKS
        if not any(constant_time_compare(token.password_mark, mark) for mark in marks):
            raise exceptions.AuthenticationFailed("The password changed since this token was made; ask for a new one.")
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, token
