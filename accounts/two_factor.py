"""Two-factor sign-in with a TOTP authenticator app (django-otp): required for admins, offered to all.

Signing in is two steps when the user has a confirmed device: the password alone does not log in; it
leaves a short-lived "pending" mark in the session, and the code from the app completes the login.
An admin without a device is logged in but sent to set one up before any other page (a session
flag, so no page pays a query for it). POST /api/auth/token/ asks for the code (`otp`) of a user who
has a device, and refuses admins who have none yet.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING = "cx_2fa_pending"  # {"user": id, "backend": path, "at": epoch seconds}
SETUP_REQUIRED = "cx_2fa_setup_required"
PENDING_SECONDS = 300


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def setup_required(user) -> bool:
    return user.is_admin and settings.TWO_FACTOR_REQUIRED_FOR_ADMINS


@transaction.atomic
def code_accepted(user, code: str) -> TOTPDevice | None:
    """The user's device if `code` is its current code (each code works once; failures slow it down)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    code = (code or "").strip()
    if device is None or not code.isdigit() or len(code) > 8:
        return None
    return device if device.verify_token(code) else None


@transaction.atomic
def device_start(user) -> TOTPDevice:
    """The device being set up: a new secret until a code from it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return device


@transaction.atomic
def device_confirm(user, code: str) -> TOTPDevice | None:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    code = (code or "").strip()
    if device is None or not code.isdigit() or len(code) > 8 or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one app per user: the new one replaces it
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def mark_pending(request, user) -> None:
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time())}


def pending_user_id(request) -> tuple[int, str] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending["user"], pending["backend"]


def complete_login(request, device) -> None:
    request.session.pop(SETUP_REQUIRED, None)
    otp_login(request, device)


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class SecondFactorSetupMiddleware:
    """An admin signed in without a second factor sees only the set-up page (and can log out)."""

    EXEMPT = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.get(SETUP_REQUIRED):
            if not request.path.startswith(self.EXEMPT):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Set up two-factor sign-in first (/accounts/two-factor/setup/)."}, status=403)
                return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
