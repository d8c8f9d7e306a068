from django.conf import settings
from django.utils import translation


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

