from rest_framework.routers import SimpleRouter

from . import views
from .agreements import AgreementViewSet
from .bottlenecks import BottleneckViewSet
from .course_checks import CourseCheckViewSet
from .early_warnings import EarlyWarningViewSet

app_name = "governance-api"

# Read endpoints for bodies, meetings (with agenda and minutes), decisions (with positions) and
# actions. Every route here needs a row in tests/matrix/governance/.
router = SimpleRouter()
router.register("bodies", views.BodyViewSet, basename="body")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("actions", views.ActionViewSet, basename="action")
router.register("agreements", AgreementViewSet, basename="agreement")
# Bottlenecks with their escalations; POST reports one from a partner's own system (api/bottlenecks.py).
router.register("bottlenecks", BottleneckViewSet, basename="bottleneck")
# Course checks with their results per partner and dimension, never per person (api/course_checks.py).
router.register("course-checks", CourseCheckViewSet, basename="course-check")
# Early warnings from the forecast, read only (api/early_warnings.py).
router.register("early-warnings", EarlyWarningViewSet, basename="early-warning")

urlpatterns = router.urls
