"""The customer's pages: the feedback page (no login; one tap rates, then a comment if they like,
then thank you) and the one-click unsubscribe."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from core.errors import StateConflict

from . import services
from .customer_mail import customer_by_unsubscribe_token, customer_opt_out
from .customer_pages import chosen_level, customer_page
from .forms import CommentForm, FeedbackForm
from .levels import CUSTOMER_CHOICES, CUSTOMER_WORDS, Level


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
        return _rated(request, interaction, language)
    status = 200
    form = None
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
                pass  # rated from another tab a moment ago: the next page says so either way
            return redirect(request.path)
        status = 400
    context = {"interaction": interaction, "form": form, "choices": CUSTOMER_CHOICES, "chosen": chosen_level(request)}
    return _render(request, "interactions/feedback.html", context, status=status, language=language)


def _rated(request, interaction, language):
    """Rated: the comment box while there is no comment yet, then thank you."""
    if interaction.customer_comment:
        return _render(request, "interactions/feedback_thanks.html", {"interaction": interaction}, language=language)
    status = 200
    # A second rating posted to a rated link (another tab, a replay) is not a comment: the page again.
    posted = request.method == "POST" and "comment" in request.POST
    with translation.override(language):
        form = CommentForm(request.POST if posted else None)
        if posted and form.is_valid():
            try:
                services.interaction_comment(interaction=interaction, comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            except StateConflict:
                pass
            if not form.errors:
                return redirect(request.path)
        if form.errors:
            status = 400
    # Lazy: rendered in the customer's language, like the rest of the page.
    context = {"interaction": interaction, "form": form, "answer": CUSTOMER_WORDS[Level(interaction.customer_level)]}
    return _render(request, "interactions/feedback_comment.html", context, status=status, language=language)


@customer_page(csrf=False)
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """RFC 8058: a mail client POSTs `List-Unsubscribe=One-Click` (no session, no CSRF token, no
    confirmation page) and the customer is opted out of rating requests. A GET only shows a button that
    posts the same; a link scanner following it changes nothing. The token is the secret."""
    customer = customer_by_unsubscribe_token(token)
    if customer is None:
        return _render(request, "interactions/feedback_not_found.html", {}, status=404)
    done = customer.contact_opt_out
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != "One-Click":
            context = {"customer": customer, "done": done, "error": True}
            return _render(request, "interactions/unsubscribe.html", context, status=400, language=customer.language)
        customer_opt_out(customer=customer, how="one-click" if "HTTP_ORIGIN" not in request.META else "page")
        done = True
    return _render(request, "interactions/unsubscribe.html", {"customer": customer, "done": done}, language=customer.language)
