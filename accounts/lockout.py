from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, *args, **kwargs):
    """What a locked-out (username, address) pair gets: JSON on the API, a page elsewhere; 429 both."""
    message = _("Too many failed login attempts. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": "900"})
    return render(request, "registration/locked.html", {"message": message}, status=429)
