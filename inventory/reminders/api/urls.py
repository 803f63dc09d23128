from rest_framework.routers import SimpleRouter

from inventory.reminders.api.views import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
