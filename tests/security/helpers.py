"""Small helpers shared by the security tests."""

from accounts.services import api_token_create


def token_for(user, name: str = "Security test") -> str:
    """A personal API token's plaintext for ``user``."""
    return api_token_create(user=user, name=name)[1]
