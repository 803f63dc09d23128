"""The serializer field cache (`config.api.FieldsBuiltOnce`): fields are built from the model
once per class, and each instance still gets its own fields, equal to what DRF would build."""

import pytest
from rest_framework import serializers

from assets.api.serializers import AssetCreateSerializer, AssetSerializer

pytestmark = pytest.mark.django_db


def test_a_second_serializer_builds_no_model_field(monkeypatch):
    assert AssetSerializer(context={}).fields  # the class's first instance builds them
    built = []
    original = serializers.ModelSerializer.build_field
    monkeypatch.setattr(
        serializers.ModelSerializer,
        "build_field",
        lambda self, *args: built.append(args[0]) or original(self, *args),
    )
    assert AssetSerializer(context={}).fields
    assert built == []


@pytest.mark.parametrize("serializer_class", [AssetSerializer, AssetCreateSerializer])
def test_each_instance_gets_its_own_fields_equal_to_drf_s(serializer_class):
    first, second = serializer_class(context={}), serializer_class(context={})
    # The oracle: what DRF itself builds for a fresh instance.
    drf = serializers.ModelSerializer.get_fields(serializer_class(context={}))
    assert list(first.fields) == list(drf)
    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
        expected = drf[name]
        assert type(field) is type(expected), name
        assert (field.read_only, field.required, field.allow_null, field.source) == (
            expected.read_only,
            expected.required,
            expected.allow_null,
            expected.source or name,  # DRF's fields are unbound: no source until bound
        ), name
        assert [type(v) for v in field.validators] == [type(v) for v in expected.validators], name


def test_create_and_read_serializers_keep_their_own_fields():
    # `owner_department` is writable on create only: one class's cache is not the other's.
    assert AssetCreateSerializer(context={}).fields["owner_department"].read_only is False
    assert AssetSerializer(context={}).fields["owner_department"].read_only is True
