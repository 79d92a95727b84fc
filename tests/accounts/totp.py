"""The code an authenticator app shows: RFC 6238 (TOTP, HMAC-SHA1, 30-second steps, 6 digits),
written out here so the tests check allauth against the standard rather than against itself."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def fresh_code(secret: str, *, step: int = 30) -> str:
    """The current code, waiting for the next step when this one ends within two seconds (the
    site accepts the current step only)."""
    left = step - time.time() % step
    if left < 2:
        time.sleep(left + 0.05)
    return totp_code(secret)


def wrong_code(secret: str) -> str:
    """A six-digit code that is not the current one."""
    right = totp_code(secret)
    return f"{(int(right) + 1) % 10**6:06d}"


def current_code_for(user) -> str:
    """The code the person's authenticator app (allauth's TOTP) would show now."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return fresh_code(decrypt(totp.data["secret"]))
