"""factory_boy factories. Cards are created through the service so they get tags and events."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from assets import services
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department, Location, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = Department.Kind.OFFICE


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"L{n:03d}")
    name = factory.Sequence(lambda n: f"机房{n}")
    kind = Location.Kind.ROOM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        if extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


def leaf_category(code: str = "A02010105") -> Category:
    return Category.objects.get(code_system=CURRENT_CODE_SYSTEM, code=code)


def make_asset(
    *,
    owner=None,
    actor=None,
    category_code: str = "A02010105",
    parent=None,
    embedded: bool = False,
    location=None,
    **fields,
) -> Asset:
    """Register a card through `register_asset`, as a clerk would."""
    owner = owner or DepartmentFactory()
    fields.setdefault("name", "台式计算机")
    fields.setdefault("original_value", Decimal("6000.00"))
    fields.setdefault("status", Asset.Status.IN_USE)
    data = {
        "owner_department": owner,
        "category": leaf_category(category_code),
        "location": location,
        "parent": parent,
        "install_mode": Asset.InstallMode.EMBEDDED if embedded else Asset.InstallMode.STANDALONE,
        **fields,
    }
    return services.register_asset(actor=actor, fields=data)


def make_project(*, builder, owner, code: str = "DJ-2024-01", **fields):
    """A delegated-build project (代建) through `save_project`, as an admin would set it up."""
    from assets.handovers.services import save_project

    fields.setdefault("name", "政务服务一体化平台")
    return save_project(
        actor=None,
        fields={"code": code, "builder_department": builder, "owner_department": owner, **fields},
    )


def make_campaign(*, actor, departments, year: int = 2025, activate: bool = True, **fields):
    """A stocktake campaign of `year` over `departments` (reference date 12-31, due a month
    later), planned by `actor` through the services and, unless `activate` is False, started."""
    from datetime import date

    from inventory.services import campaigns

    fields.setdefault("name", f"{year}年度资产清查")
    fields.setdefault("reference_date", date(year, 12, 31))
    fields.setdefault("due_on", date(year + 1, 1, 31))
    campaign = campaigns.create_campaign(
        actor=actor, year=year, departments=list(departments), **fields
    )
    if activate:
        campaign = campaigns.activate_campaign(campaign=campaign, actor=actor)
    return campaign


# Disposals
def retire_directly(*, asset: Asset, actor=None, reason: str = "报废", components: str = "refuse"):
    """Retire a card straight away, as a deployment without disposal approval does
    (YIKA_DISPOSAL_APPROVAL off): the setup of tests about retired cards, not about disposal."""
    from django.test import override_settings

    with override_settings(YIKA_DISPOSAL_APPROVAL=False):
        return services.retire_asset(asset=asset, actor=actor, reason=reason, components=components)
