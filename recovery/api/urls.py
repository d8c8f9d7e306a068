from rest_framework.routers import SimpleRouter

from .views import RecoveryCaseViewSet, RuleBendViewSet, RuleViewSet

router = SimpleRouter()
router.register("recovery-cases", RecoveryCaseViewSet, basename="recovery-case")
router.register("rules", RuleViewSet, basename="rule")
router.register("rule-bends", RuleBendViewSet, basename="rule-bend")

urlpatterns = [*router.urls]
