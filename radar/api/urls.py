from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import IdeaViewSet, RadarView

router = SimpleRouter()
router.register("ideas", IdeaViewSet, basename="idea")

urlpatterns = [path("radar/", RadarView.as_view(), name="api-radar"), *router.urls]
