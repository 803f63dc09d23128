"""Forms of the register's web pages. They validate input; the services make every change."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assets import permissions, services, tags
from assets.errors import DomainError
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department, Location, User
from config import forms as yika_forms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def leaf_categories():
    """Categories a card may carry: leaves of the current code system."""
    return (
        Category.objects.filter(code_system=CURRENT_CODE_SYSTEM, is_active=True)
        .exclude(pk__in=Category.objects.filter(parent__isnull=False).values("parent"))
        .order_by("code")
    )


def apply_errors(form: forms.Form, error: Exception) -> None:
    """Show a service's refusal on the form: field errors at their field, the rest on top."""
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
        return
    raise error


# A text over its limit, the same words on the card form and in the import's errors.
TOO_LONG = _("At most %(limit_value)d characters; this text has %(show_value)d.")


class ShownLimitsMixin:
    """Text limits are shown and enforced, never applied silently.

    A browser's `maxlength` cuts a 5,000-character paste to the limit without a word; here the
    limit is written under the field and a longer text is an error saying the limit and the
    length (the clerk then shortens it knowingly).
    """

    def show_limits(self) -> None:
        for field in self.fields.values():
            limit = getattr(field, "max_length", None)
            if not limit or not isinstance(field, forms.CharField):
                continue
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-max-length"] = str(limit)
            field.error_messages["max_length"] = TOO_LONG
            hint = _("At most %(limit)s characters.") % {"limit": limit}
            field.help_text = f"{field.help_text} {hint}" if field.help_text else hint


class CodeChoiceField(forms.ModelChoiceField):
    """A select whose options show code and name."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AssetForm(ShownLimitsMixin, yika_forms.ModelForm):
    """The plain fields of a card (create and edit); privileged fields are added on create."""

    category = CodeChoiceField(label=_("category"), queryset=Category.objects.none())
    managing_department = CodeChoiceField(
        label=_("managing department"), queryset=Department.objects.none(), required=False
    )
    using_department = CodeChoiceField(
        label=_("using department"), queryset=Department.objects.none(), required=False
    )
    custodian_user = forms.ModelChoiceField(
        label=_("custodian account"), queryset=User.objects.none(), required=False
    )

    # Grouped as DOMAIN.md §2; templates render one fieldset per group.
    GROUPS = (
        (
            _("Identity"),
            ("name", "brand", "model", "spec", "serial_number", "unit", "legacy_number"),
        ),
        (_("Classification"), ("category",)),
        (
            _("Acquisition"),
            (
                "acquisition_method",
                "acquired_on",
                "in_service_on",
                "contract_no",
                "invoice_no",
                "project",
                "warranty_until",
            ),
        ),
        (
            _("Finance"),
            (
                "value_type",
                "original_value",
                "booked_on",
                "voucher_no",
                "depreciate",
                "useful_life_months",
            ),
        ),
        (
            _("Use"),
            ("managing_department", "using_department", "custodian", "custodian_user"),
        ),
        (_("Labelling"), ("label_mode", "notes")),
    )

    class Meta:
        model = Asset
        fields = list(services.PLAIN_FIELDS)
        widgets = {
            "acquired_on": DATE_INPUT,
            "in_service_on": DATE_INPUT,
            "warranty_until": DATE_INPUT,
            "booked_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        departments = permissions.assignable_departments(user).order_by("code")
        self.fields["category"].queryset = leaf_categories()
        self.fields["managing_department"].queryset = departments
        self.fields["using_department"].queryset = departments
        self.fields["custodian_user"].queryset = User.objects.filter(
            is_active=True, department__in=departments
        ).order_by("username")
        # Only projects of the user's scope (issue 15.9; the service refuses the others too).
        self.fields["project"].queryset = permissions.linkable_projects(user).order_by("code")
        if self.instance.pk:
            self._keep_current_choices()
        life = self.fields["useful_life_months"]
        life.required = False
        life.help_text = _("Leave empty to use the category's default.")
        if not self.instance.pk:
            # Empty means the category's default (the model's 72 is no one's choice); the
            # placeholder shows that default and follows the category select
            # (static/assets/category_life.js, reading `category_lives`).
            life.initial = None
            life.widget.attrs["data-category-life"] = _("Category default: {months}")
        self.fields["unit"].required = False
        self.show_limits()

    # The selects of an edit whose current value may lie outside what the user may choose.
    KEPT_CHOICES = (
        "category",
        "project",
        "managing_department",
        "using_department",
        "custodian_user",
    )

    def _keep_current_choices(self) -> None:
        """An edit offers the card's current value in every select, also one the user could not
        choose (a using department outside their scope, a category since deactivated): otherwise
        the select opens on its empty choice and saving clears a field nobody touched (walk 4.1).
        Only the current value is added, so a change to another value outside the scope is still
        refused here, and again by the service (`services.update_asset` checks changed values)."""
        for name in self.KEPT_CHOICES:
            current = getattr(self.instance, f"{name}_id")
            field = self.fields.get(name)
            if current is None or field is None:
                continue
            offered = field.queryset
            field.queryset = offered.model.objects.filter(
                Q(pk__in=offered.values("pk")) | Q(pk=current)
            ).order_by(*offered.query.order_by)

    def clean_unit(self):
        return self.cleaned_data.get("unit") or "台"

    def category_lives(self) -> dict[str, int]:
        """Each offered category's default useful life in months, by the select's value."""
        return {
            str(category.pk): category.default_useful_life_months
            for category in self.fields["category"].queryset
        }

    def _post_clean(self):
        # The services check the card as a whole; the model form only parses fields here.
        pass

    def clean(self):
        """Field errors and the service's card rules together, so every problem shows at once
        (the same rules run again inside the service when the card is saved)."""
        cleaned = super().clean()
        card = Asset(
            **{
                name: getattr(self.instance, name)
                for name in services.PLAIN_FIELDS
                if self.instance.pk and not Asset._meta.get_field(name).is_relation
            }
        )
        for name in services.PLAIN_FIELDS:
            if name in cleaned and not Asset._meta.get_field(name).is_relation:
                setattr(card, name, cleaned[name])
        for name, message in services.card_errors(card).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def plain_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in services.PLAIN_FIELDS}
        if data.get("useful_life_months") is None:
            if self.instance.pk:
                data["useful_life_months"] = self.instance.useful_life_months
            else:
                data.pop("useful_life_months")
        return data

    def grouped(self):
        """[(legend, [bound fields])] in DOMAIN.md §2 order, for the template."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]


class AssetCreateForm(AssetForm):
    """Registering also sets owner, location, initial status and, for a component, its host."""

    owner_department = CodeChoiceField(
        label=_("owning department"), queryset=Department.objects.none()
    )
    location = CodeChoiceField(
        label=_("location"), queryset=Location.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (Asset.Status.IN_USE, Asset.Status.IN_USE.label),
            (Asset.Status.IN_STOCK, Asset.Status.IN_STOCK.label),
        ],
        initial=Asset.Status.IN_USE,
    )
    parent = forms.CharField(
        label=_("host tag"),
        required=False,
        help_text=_("For a component: the tag of the asset it sits in."),
    )
    install_mode = forms.ChoiceField(
        label=_("installation"),
        choices=Asset.InstallMode.choices,
        initial=Asset.InstallMode.STANDALONE,
    )

    GROUPS = AssetForm.GROUPS[:4] + (
        (
            _("Use and ownership"),
            (
                "owner_department",
                "managing_department",
                "using_department",
                "custodian",
                "custodian_user",
                "location",
                "status",
            ),
        ),
        (_("Nesting and labelling"), ("parent", "install_mode", "label_mode", "notes")),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner_department"].queryset = self.fields["using_department"].queryset
        if user.department_id:
            self.fields["owner_department"].initial = user.department_id
        self.fields["location"].queryset = permissions.placeable_locations(user).order_by("code")

    def clean_parent(self):
        text = (self.cleaned_data.get("parent") or "").strip()
        if not text:
            return None
        tag = tags.normalise(text)
        host = permissions.changeable_assets(self.user).filter(tag=tag).first()
        if host is None:
            raise ValidationError(_("Unknown asset “%(tag)s”.") % {"tag": text})
        return host

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("install_mode") == Asset.InstallMode.EMBEDDED and not cleaned.get("parent"):
            self.add_error("parent", _("An embedded device needs a host (parent)."))
        return cleaned

    def register_fields(self) -> dict:
        data = self.plain_fields()
        for name in ("owner_department", "location", "status", "parent", "install_mode"):
            data[name] = self.cleaned_data[name]
        return data


class NestForm(yika_forms.Form):
    parent = forms.CharField(
        label=_("host tag"),
        required=False,
        help_text=_("Leave empty to take the asset out of its host."),
    )
    embedded = forms.BooleanField(label=_("embedded inside the host"), required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_parent(self):
        text = (self.cleaned_data.get("parent") or "").strip()
        if not text:
            return None
        host = permissions.changeable_assets(self.user).filter(tag=tags.normalise(text)).first()
        if host is None:
            raise ValidationError(_("Unknown asset “%(tag)s”.") % {"tag": text})
        return host


class MoveForm(yika_forms.Form):
    location = CodeChoiceField(label=_("new location"), queryset=Location.objects.none())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = permissions.placeable_locations(user).order_by("code")


class StatusForm(ShownLimitsMixin, yika_forms.Form):
    status = forms.ChoiceField(label=_("new status"))
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, asset: Asset, **kwargs):
        super().__init__(*args, **kwargs)
        # `lent` is the lend action's (borrower, due date, approval reference): not offered.
        allowed = (
            services.ASSET_TRANSITIONS.get(asset.status, set())
            - {Asset.Status.RETIRED, Asset.Status.LENT}
            - set(services.OWN_ACTION_STATUSES)
        )
        self.fields["status"].choices = [c for c in Asset.Status.choices if c[0] in allowed]
        self.fields["status"].error_messages["invalid_choice"] = (
            services.lend_route_message(asset)
            if self.data.get(self.add_prefix("status")) == Asset.Status.LENT
            else self.fields["status"].error_messages["invalid_choice"]
        )
        self.show_limits()


class RetireForm(yika_forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the disposal approval (处置批复) number, or the write-off decision."),
    )
    components = forms.ChoiceField(
        label=_("its live components"),
        choices=[
            (services.RetireComponents.REFUSE, _("Refuse if it still holds components")),
            (services.RetireComponents.DETACH, _("Detach them and keep them in use")),
            (services.RetireComponents.RETIRE, _("Retire them too")),
        ],
        initial=services.RetireComponents.REFUSE,
        widget=forms.RadioSelect,
    )


class AssetFilterForm(yika_forms.Form):
    """The list's search and filter controls. Values are natural keys; `AssetFilter` applies them."""

    empty_choice = yika_forms.EMPTY_FILTER

    YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    q = forms.CharField(label=_("Search"), required=False)
    owner_department = forms.ChoiceField(label=_("owning department"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("Any")), *Asset.Status.choices]
    )
    category = forms.ChoiceField(label=_("category"), required=False)
    location = forms.ChoiceField(label=_("location"), required=False)
    embedded = forms.ChoiceField(label=_("embedded"), required=False, choices=YES_NO)
    label_mode = forms.ChoiceField(
        label=_("label strategy"),
        required=False,
        choices=[("", _("Any")), *Asset.LabelMode.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["owner_department"].choices = any_ + [
            (d.code, f"{d.code} {d.name}")
            for d in Department.objects.only("code", "name").order_by("code")
        ]
        self.fields["category"].choices = any_ + [
            (c.code, f"{c.code} {c.name}")
            for c in Category.objects.filter(code_system=CURRENT_CODE_SYSTEM)
            .only("code", "name")
            .order_by("code")
        ]
        self.fields["location"].choices = any_ + [
            (loc.code, f"{loc.code} {loc.name}")
            for loc in Location.objects.only("code", "name").order_by("code")
        ]
