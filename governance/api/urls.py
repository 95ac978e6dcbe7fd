from rest_framework.routers import SimpleRouter

from . import views
from .agreements import AgreementViewSet

app_name = "governance-api"

# Read endpoints for bodies, meetings (with agenda and minutes), decisions (with positions) and
# actions. Every route here needs a row in tests/matrix/governance/.
router = SimpleRouter()
router.register("bodies", views.BodyViewSet, basename="body")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("actions", views.ActionViewSet, basename="action")
router.register("agreements", AgreementViewSet, basename="agreement")

urlpatterns = router.urls
