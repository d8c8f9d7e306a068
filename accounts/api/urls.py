from django.urls import path
from rest_framework.routers import SimpleRouter

from .notifications import NotificationViewSet
from .views import LogoutView, TeamViewSet, TokenView, UserViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    *router.urls,
]
