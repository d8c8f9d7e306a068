"""The sign-in pages: password then code, and setting up the authenticator app."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import two_factor


class CodeForm(forms.Form):
    code = forms.RegexField(r"^\s*\d{6,8}\s*$", label=gettext_lazy("Code from your authenticator app"), max_length=12)


class TwoStepLoginView(LoginView):
    """Django's login; a user with an authenticator app is logged in only after its code."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is not None:
            two_factor.mark_pending(self.request, user)
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': self.get_success_url()})}")
        auth_login(self.request, user)
        if two_factor.setup_required(user):
            self.request.session[two_factor.SETUP_REQUIRED] = True
            return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': self.get_success_url()})}")
        return redirect(self.get_success_url())


@require_http_methods(["GET", "POST"])
def verify(request):
    pending = two_factor.pending_user_id(request)
    if pending is None:
        return redirect("login")
    user_id, backend = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        device = two_factor.code_accepted(user, form.cleaned_data["code"]) if user is not None else None
        if device is not None:
            request.session.pop(two_factor.PENDING, None)
            auth_login(request, user, backend=backend)
            two_factor.complete_login(request, device)
            return redirect(two_factor.safe_next(request, reverse("dashboard")))
        form.add_error("code", _("That code did not work. Use the current one from your app."))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    device = two_factor.device_start(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = two_factor.device_confirm(request.user, form.cleaned_data["code"])
        if confirmed is not None:
            two_factor.complete_login(request, confirmed)
            messages.success(request, _("Two-factor sign-in is on: next time you log in, the app's code is asked too."))
            return redirect(two_factor.safe_next(request, reverse("dashboard")))
        form.add_error("code", _("That code did not work. Use the current one from your app."))
    context = {
        "form": form,
        "secret": two_factor.secret_of(device),
        "config_url": device.config_url,
        "required": bool(request.session.get(two_factor.SETUP_REQUIRED)),
        "has_device": two_factor.confirmed_device(request.user) is not None,
        "next": request.GET.get("next", ""),
    }
    return render(request, "registration/two_factor_setup.html", context, status=400 if request.method == "POST" else 200)
