"""Start the test identity provider (tests/assets/accounts/idp/) on 127.0.0.1 for a test module:
its own PostgreSQL database, a fresh RSA signing key, its directory, and `runserver` in a
subprocess; and walk a browser's redirect flow through it with `requests`."""

from __future__ import annotations

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


@dataclass
class Provider:
    url: str
    env: dict
    process: subprocess.Popen

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
        self.run("-m", "tests.assets.accounts.idp.seed", "move", username, department)

    def allow_redirect(self, uri: str) -> None:
        self.run("-m", "tests.assets.accounts.idp.seed", "redirect", uri)

    def sign_in(self, authorize_url: str, username: str) -> str:
        """What a browser does at the provider: open the authorization URL, sign in, and come
        back with the redirect to Yika's callback (returned as path and query)."""
        browser = requests.Session()
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        login_url = urljoin(self.url, answer.headers["Location"])
        form = browser.get(login_url, timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        nxt = re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&")
        answer = browser.post(
            login_url,
            data={
                "username": username,
                "password": IDP_PASSWORD,
                "csrfmiddlewaretoken": csrf,
                "next": nxt,
            },
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:500]
        answer = browser.get(
            urljoin(self.url, answer.headers["Location"]), allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text[:500]
        back = urlsplit(answer.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK, back
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


def _database_name() -> str:
    return f"{settings.DATABASES['default']['NAME']}_idp"


def _recreate_database(*, create: bool) -> str:
    """The provider's own database on Yika's PostgreSQL server, dropped (and created fresh)."""
    name = _database_name()
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{_server()}/{name}"


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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = _recreate_database(create=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "YIKA_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=IDP_SETTINGS,
        IDP_DATABASE_URL=database_url,
        IDP_ISSUER=f"{url}/o",
        IDP_RSA_KEY_FILE=str(key_file),
        PYTHONPATH=str(ROOT),
    )
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.assets.accounts.idp.seed",
            CALLBACK,
            CLIENT_ID,
            CLIENT_SECRET,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the test identity provider did not start")
        time.sleep(0.2)
    return Provider(url=url, env=env, process=process)


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
    _recreate_database(create=False)
