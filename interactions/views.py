"""The customer's feedback page: no login, one rating per link, then thank you."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from core.errors import StateConflict

from . import services
from .customer_pages import customer_page
from .forms import FeedbackForm
from .levels import LEVEL_MEANINGS, Level


def _render(request, template, context, *, status=200, language=None):
    # A customer page shows the brand, never the staff navigation or a staff member's name, even
    # when someone signed in opens it.
    context = {**context, "user": AnonymousUser()}
    with translation.override(language or translation.get_language()):
        response = render(request, template, context, status=status)
        response["Content-Language"] = translation.get_language()
    return response


@customer_page
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, token: str):
    interaction = services.interaction_by_feedback_token(token)
    if interaction is None:
        return _render(request, "interactions/feedback_not_found.html", {}, status=404)
    language = interaction.customer.language
    if interaction.customer_level is not None:
        return _render(request, "interactions/feedback_thanks.html", {"interaction": interaction}, language=language)
    if request.method == "POST":
        with translation.override(language):
            form = FeedbackForm(request.POST)
            valid = form.is_valid()
        if valid:
            try:
                services.interaction_rate(
                    interaction=interaction, level=form.cleaned_data["level"], comment=form.cleaned_data["comment"]
                )
            except StateConflict:
                pass  # rated from another tab a moment ago: the thank-you page is the answer either way
            return redirect(request.path)
        status = 400
    else:
        form = FeedbackForm()
        status = 200
    choices = [(level, Level(level).label, LEVEL_MEANINGS[level]) for level in reversed(Level.values)]
    context = {"interaction": interaction, "form": form, "choices": choices}
    return _render(request, "interactions/feedback.html", context, status=status, language=language)
