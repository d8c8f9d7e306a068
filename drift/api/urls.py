from rest_framework.routers import SimpleRouter

from .views import JobRunViewSet

router = SimpleRouter()
router.register("jobs", JobRunViewSet, basename="job")

urlpatterns = [*router.urls]
