import pytest

from tests.assets.accounts.provider import start_cas_server, start_provider, stop_server


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory, django_db_setup):
    """A real OIDC provider (django-oauth-toolkit) on 127.0.0.1 for the module's tests."""
    provider = start_provider(tmp_path_factory.mktemp("idp"))
    yield provider
    stop_server(provider)


@pytest.fixture(scope="module")
def cas_server(django_db_setup):
    """A real CAS server (django-mama-cas) on 127.0.0.1 for the module's tests."""
    server = start_cas_server()
    yield server
    stop_server(server)
