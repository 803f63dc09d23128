"""Start the test identity providers on 127.0.0.1 for a test module: the OIDC provider
(tests/assets/accounts/idp/, with a fresh RSA signing key) and the CAS server
(tests/assets/accounts/cas/). Each is a small Django project with its own PostgreSQL database
and directory, run by `runserver` in a subprocess; `sign_in` walks a browser's redirect flow
through it with `requests`."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import psycopg
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
IDP_SETTINGS = "tests.assets.accounts.idp.settings"
IDP_PASSWORD = "idp-pass-123"
CLIENT_ID = "yika-test"
CLIENT_SECRET = "yika-test-secret-0123456789"
CALLBACK = "http://testserver/accounts/sso/oidc/callback/"
CAS_SETTINGS = "tests.assets.accounts.cas.settings"
CAS_SERVICE = "http://testserver/accounts/sso/cas/"


@dataclass
class TestServer:
    url: str
    env: dict
    process: subprocess.Popen | None
    database: str
    seed_module: str

    def run(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=120,
            capture_output=True,
        )

    def move(self, username: str, department: str) -> None:
        """The directory moves a person to another department."""
        self.run("-m", self.seed_module, "move", username, department)

    def _sign_in_form(self, browser, login_url: str, username: str):
        """Fill in the server's sign-in form (its hidden fields as given) and send it."""
        form = browser.get(login_url, timeout=10)
        assert form.status_code == 200, form.text[:500]
        hidden = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text
            )
        }
        answer = browser.post(
            login_url,
            data={**hidden, "username": username, "password": IDP_PASSWORD},
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:500]
        return answer


class Provider(TestServer):
    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def settings_for_yika(self) -> dict:
        return {
            "YIKA_OIDC_ENABLED": True,
            "YIKA_OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "AUTHENTICATION_BACKENDS": [
                *settings.AUTHENTICATION_BACKENDS,
                "assets.accounts.backends.YikaOIDCBackend",
            ],
        }

    def allow_redirect(self, uri: str) -> None:
        self.run("-m", "tests.assets.accounts.idp.seed", "redirect", uri)

    def sign_in(self, authorize_url: str, username: str) -> str:
        """What a browser does at the provider: open the authorization URL, sign in, and come
        back with the redirect to Yika's callback (returned as path and query)."""
        browser = requests.Session()
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        login_url = urljoin(self.url, answer.headers["Location"])
        answer = self._sign_in_form(browser, login_url, username)
        answer = browser.get(
            urljoin(self.url, answer.headers["Location"]), allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text[:500]
        back = urlsplit(answer.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK, back
        return f"{back.path}?{back.query}"


class CasServer(TestServer):
    def settings_for_yika(self) -> dict:
        return {
            "YIKA_CAS_ENABLED": True,
            "CAS_SERVER_URL": f"{self.url}/cas/",
            "AUTHENTICATION_BACKENDS": [
                *settings.AUTHENTICATION_BACKENDS,
                "assets.accounts.backends.YikaCASBackend",
            ],
        }

    def sign_in(
        self, login_url: str, username: str, *, browser=None, service: str = CAS_SERVICE
    ) -> str:
        """What a browser does at the CAS server: open its login page (Yika's redirect), sign
        in, and come back with the redirect to Yika's service URL (`service`: the test
        client's, or a live server's) and its ticket (returned as path and query). `browser`
        (a `requests.Session`) keeps the CAS server's single sign-on session for later."""
        assert login_url.startswith(f"{self.url}/cas/login"), login_url
        answer = self._sign_in_form(browser or requests.Session(), login_url, username)
        back = urlsplit(answer.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == service, back
        return f"{back.path}?{back.query}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server() -> str:
    db = settings.DATABASES["default"]
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
    # The embedded server listens on a socket directory: percent-encoded, libpq and
    # dj-database-url both read it as the host.
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{auth}{host}:{db['PORT'] or 5432}"


def _recreate_database(name: str, *, create: bool) -> str:
    """A test server's own database on Yika's PostgreSQL server, dropped (and created fresh)."""
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{_server()}/{name}"


def _start(
    server_class, *, settings_module: str, seed: list[str], ready: str, environment
) -> TestServer:
    """Migrate and seed a test server's project in a fresh database, run it on a free port,
    and wait until `ready` answers. `environment(url)` gives its own environment variables."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    package = settings_module.rsplit(".", 1)[0]
    database = f"{settings.DATABASES['default']['NAME']}_{package.rsplit('.', 1)[1]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "YIKA_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        IDP_DATABASE_URL=_recreate_database(database, create=True),
        PYTHONPATH=str(ROOT),
        **environment(url),
    )
    server = server_class(
        url=url, env=env, process=None, database=database, seed_module=f"{package}.seed"
    )
    server.run("-m", "django", "migrate", "-v0")
    server.run("-m", server.seed_module, *seed)
    server.process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}{ready}", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.process.kill()
            raise RuntimeError(f"the test server {settings_module} did not start")
        time.sleep(0.2)
    return server


def start_provider(tmp_dir: Path) -> Provider:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_dir / "idp-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return _start(
        Provider,
        settings_module=IDP_SETTINGS,
        seed=[CALLBACK, CLIENT_ID, CLIENT_SECRET],
        ready="/o/.well-known/openid-configuration",
        environment=lambda url: {"IDP_ISSUER": f"{url}/o", "IDP_RSA_KEY_FILE": str(key_file)},
    )


def start_cas_server() -> CasServer:
    return _start(
        CasServer,
        settings_module=CAS_SETTINGS,
        seed=[],
        ready="/cas/login",
        # Tickets only for Yika's service URL (the test client's, or a live server's on
        # 127.0.0.1 or localhost), with or without its `next`; after a logout, back to Yika's
        # sign-in page.
        environment=lambda url: {
            "IDP_SERVICE_PATTERN": (
                r"^http://(testserver|(127\.0\.0\.1|localhost):\d+)/accounts/sso/cas/(\?.*)?$"
            ),
            "IDP_SIGNED_OUT_PATTERN": (
                r"^http://(testserver|(127\.0\.0\.1|localhost):\d+)/accounts/login/$"
            ),
        },
    )


def stop_server(server: TestServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    _recreate_database(server.database, create=False)
