from rest_framework.routers import SimpleRouter

from inventory.api import views

router = SimpleRouter()
router.register("stocktakes", views.StocktakeViewSet, basename="stocktake")

urlpatterns = router.urls
