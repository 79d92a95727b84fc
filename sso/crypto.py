"""Secrets kept in the database (client secrets, refresh tokens), encrypted with Fernet.

The key is SSO_SECRET_KEY, or, without it, one derived from SECRET_KEY with HKDF, so a stolen
database dump alone reveals no council's client secret. Changing the key makes what was stored
unreadable: organisers enter the secrets again and people sign in with their council again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret was encrypted with another key (or was tampered with)."""


def _fernet() -> Fernet:
    material = (getattr(settings, "SSO_SECRET_KEY", "") or settings.SECRET_KEY).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"pipeline.sso.secrets"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("stored with another key") from exc
