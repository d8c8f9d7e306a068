from rest_framework.routers import SimpleRouter

from .views import CustomerViewSet, GestureViewSet, InteractionViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("gestures", GestureViewSet, basename="gesture")
router.register("interactions", InteractionViewSet, basename="interaction")

urlpatterns = [*router.urls]
