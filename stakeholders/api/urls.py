from rest_framework.routers import DefaultRouter

from . import views
from .contributions import ContributionViewSet
from .register import StakeholderViewSet
from .stand_ins import StandInViewSet

app_name = "stakeholders-api"

# Every route here needs a row in tests/test_authorisation_matrix.py.
router = DefaultRouter()
router.register("chains", views.ChainViewSet, basename="chain")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("units", views.UnitViewSet, basename="unit")
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("memberships", views.MembershipViewSet, basename="membership")
# The stakeholder register with its contact log (api/register.py).
router.register("stakeholders", StakeholderViewSet, basename="stakeholder")
# Contributions with their quarterly deliveries (api/contributions.py).
router.register("contributions", ContributionViewSet, basename="contribution")
# Stand-ins for absent leads, read only (api/stand_ins.py).
router.register("stand-ins", StandInViewSet, basename="stand-in")

urlpatterns = router.urls
