from rest_framework.routers import SimpleRouter

app_name = "governance-api"

# Read endpoints for bodies, meetings (with agenda and minutes), decisions (with positions) and
# actions. Every route here needs a row in tests/matrix/governance/.
router = SimpleRouter()

urlpatterns = router.urls
