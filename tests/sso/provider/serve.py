"""Run the test provider: ``python -m tests.sso.provider.serve PORT`` with PROVIDER_CLIENT_ID,
PROVIDER_CLIENT_SECRET, PROVIDER_REDIRECT_URIS and PROVIDER_CONTROL_TOKEN in the environment.
A fresh RSA key and SQLite database each start."""

import os
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main(port: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["PROVIDER_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    folder = tempfile.mkdtemp(prefix="oidc-provider-")
    os.environ["PROVIDER_DB"] = os.path.join(folder, "db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    get_application_model().objects.create(
        name="Pipeline",
        client_id=os.environ["PROVIDER_CLIENT_ID"],
        client_secret=os.environ["PROVIDER_CLIENT_SECRET"],
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=os.environ["PROVIDER_REDIRECT_URIS"],
        algorithm="RS256",
        skip_authorization=True,
    )
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
