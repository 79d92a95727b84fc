"""A real OpenID provider (tests/sso/provider, django-oauth-toolkit) in its own process on the
loopback, started once for these tests and stopped after; nothing is mocked."""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SLUG = "oidcshire"
CLIENT_ID = "pipeline-test-client"
CLIENT_SECRET = "pipeline-test-secret-value"  # noqa: S105 - the test provider's own
CONTROL_TOKEN = "control-token"  # noqa: S105
PASSWORD = "provider-pass"  # noqa: S105 - people at the test provider
CALLBACK = f"http://testserver/accounts/oidc/council-{SLUG}/login/callback/"


@dataclass
class Provider:
    issuer: str
    port: int

    def control(self, **body) -> requests.Response:
        response = requests.post(
            f"http://127.0.0.1:{self.port}/control/",
            json=body,
            headers={"X-Control-Token": CONTROL_TOKEN},
            timeout=10,
        )
        response.raise_for_status()
        return response

    def add_person(self, username: str, email: str, password: str = PASSWORD) -> str:
        return self.control(
            user={
                "username": username,
                "email": email,
                "password": password,
                "first_name": "Sam",
                "last_name": "Officer",
            }
        ).json()["sub"]


@pytest.fixture(scope="session")
def oidc_provider():
    port = free_port()
    env = {
        **os.environ,
        "PROVIDER_CLIENT_ID": CLIENT_ID,
        "PROVIDER_CLIENT_SECRET": CLIENT_SECRET,
        "PROVIDER_REDIRECT_URIS": CALLBACK,
        "PROVIDER_CONTROL_TOKEN": CONTROL_TOKEN,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603 - our own test server, fixed arguments
        [sys.executable, "-m", "tests.sso.provider.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process=process, timeout=60)
        yield Provider(issuer=f"http://127.0.0.1:{port}/o", port=port)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def provider_mode(oidc_provider):
    """Sets the provider's mode for one test, and back to normal after."""

    def set_mode(mode: str) -> None:
        oidc_provider.control(mode=mode)

    yield set_mode
    oidc_provider.control(mode="normal")


def sign_in_at_provider(
    client, oidc_provider, *, username: str, password=PASSWORD, next_url="", prefix=""
):
    """A person presses "Sign in with <council>" on Pipeline, signs in at the provider with a
    browser of their own (requests), and comes back to Pipeline's callback with the code.
    Returns Pipeline's answer to the callback."""
    start = client.post(
        f"{prefix}/accounts/oidc/council-{SLUG}/login/", {"next": next_url} if next_url else {}
    )
    assert start.status_code == 302, start.content[:500]
    authorize = start["Location"]
    assert authorize.startswith(oidc_provider.issuer + "/authorize/")
    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False, timeout=10)
    assert to_login.status_code == 302
    login_url = requests.compat.urljoin(authorize, to_login.headers["Location"])
    form = browser.get(login_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    next_value = re.search(r'name="next" value="([^"]*)"', form.text).group(1)
    signed_in = browser.post(
        login_url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": next_value.replace("&amp;", "&"),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    back = browser.get(
        requests.compat.urljoin(login_url, signed_in.headers["Location"]),
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text[:500]
    callback = urlsplit(back.headers["Location"])
    assert f"http://testserver{callback.path}" == CALLBACK
    return client.get(f"{callback.path}?{callback.query}")
