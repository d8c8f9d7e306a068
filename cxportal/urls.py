from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views_two_factor as two_factor_views
from accounts.password_reset import OutboxPasswordResetForm
from accounts.views_two_factor import TwoStepLoginView
from web import views as web_views

from . import health, metrics

api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("interactions.api.urls")),
    path("", include("recovery.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("drift.api.urls")),
    path("", include("privacy.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("inbox.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", web_views.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/login/", TwoStepLoginView.as_view(), name="login"),
    path("accounts/two-factor/", two_factor_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    # The admin site signs in through the same two steps, never around them.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin-login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("interactions.urls")),
    path("", include("recovery.urls")),
    path("", include("reports.urls")),
    path("", include("webhooks.urls")),
    path("", include("imports.urls")),
    path("", include("inbox.urls")),
    path("", include("web.urls")),
]

handler500 = "core.views.server_error"
