"""Template tags for the label panel on the card page."""

from django import template

from assets import permissions
from assets.models import Asset
from labels import selectors
from labels.models import LabelTemplate

register = template.Library()


@register.simple_tag(takes_context=True)
def label_panel(context, asset):
    """What the card page's label panel shows: active label, templates, whether the user prints."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    can_print = bool(
        user and asset.status != Asset.Status.RETIRED and permissions.may_change_card(user, asset)
    )
    templates = list(selectors.printable_templates())
    has_embedded = (
        Asset.objects.filter(parent=asset, install_mode=Asset.InstallMode.EMBEDDED)
        .exclude(status=Asset.Status.RETIRED)
        .exists()
    )
    label_templates = [t for t in templates if t.kind == LabelTemplate.Kind.LABEL]
    sheet_templates = [t for t in templates if t.kind == LabelTemplate.Kind.COMPONENT_SHEET]
    return {
        "active": selectors.active_label(asset=asset),
        "count": selectors.asset_labels(asset=asset).count(),
        "can_print": can_print,
        "carries_label": asset.label_mode
        in (Asset.LabelMode.OWN_LABEL, Asset.LabelMode.CARD_LABEL),
        "label_templates": label_templates,
        "sheet_templates": sheet_templates if has_embedded else [],
    }
