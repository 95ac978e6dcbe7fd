from rest_framework.routers import SimpleRouter

from . import views
from .benefits import BenefitViewSet

app_name = "ambitions-api"

# Every route here needs a row in tests/test_authorisation_matrix.py. A SimpleRouter: the API root
# at /api/ is stakeholders-api's (mounted first), a second one would never be reached.
router = SimpleRouter()
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-versions", views.IndicatorVersionViewSet, basename="indicator-version")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("aggregates/chain", views.ChainAggregateViewSet, basename="chain-aggregate")
router.register("aggregates/organisations", views.OrganisationAggregateViewSet, basename="organisation-aggregate")
# Each partner's benefits with their assessments (api/benefits.py).
router.register("benefits", BenefitViewSet, basename="benefit")

urlpatterns = router.urls
