"""`?kind=`, `?user=`, `?since=` of the security log (a bad value is a 400 naming the field)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from assets.security.models import SecurityEvent


class SecurityEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SecurityEvent.Kind.choices, label=_("kind"))
    user = django_filters.CharFilter(field_name="username", label=_("user"))
    since = django_filters.DateTimeFilter(field_name="at", lookup_expr="gte", label=_("since"))

    class Meta:
        model = SecurityEvent
        fields = ["kind", "user", "since"]
