from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation


class RejectNulMiddleware:
    """A NUL character in the query string is bad input (400), answered before any view.

    PostgreSQL cannot store or compare text holding NUL, so a view that passes such a value on to a
    query (a search box, a filter) would fail with a 500. (A path with NUL matches no route: 404.)
    """

    MESSAGE = "The query string holds a NUL character."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's language setting wins over the browser's Accept-Language.

    Sits after AuthenticationMiddleware; LocaleMiddleware has already chosen from the browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response

