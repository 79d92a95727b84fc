"""Secrets at rest, and the rules the database itself keeps for a council's provider."""

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from activity.models import ActivityAction, ActivityEntry
from core.errors import ServiceError
from sso import crypto, services
from sso.models import CouncilIdentityProvider
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory

pytestmark = pytest.mark.django_db


def test_a_secret_is_encrypted_and_reads_back_only_with_the_same_key():
    token = crypto.encrypt("client-secret")
    assert "client-secret" not in token
    assert crypto.encrypt("client-secret") != token  # Fernet: a fresh IV each time
    assert crypto.decrypt(token) == "client-secret"
    with override_settings(SSO_SECRET_KEY="another key"), pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)
    # Derived from SECRET_KEY when SSO_SECRET_KEY is not set.
    with (
        override_settings(SECRET_KEY="a rotated secret key"),
        pytest.raises(crypto.SecretUnreadable),
    ):
        crypto.decrypt(token)


def test_sso_secret_key_keeps_secrets_readable_when_the_secret_key_changes():
    with override_settings(SSO_SECRET_KEY="sso key"):
        token = crypto.encrypt("client-secret")
        with override_settings(SECRET_KEY="a rotated secret key"):
            assert crypto.decrypt(token) == "client-secret"


@pytest.mark.parametrize(
    "values",
    [
        {"issuer": "http://idp.example.gov.uk"},  # plain http off the loopback
        {"secret_env": "", "secret_encrypted": ""},  # no secret at all
        {"secret_env": "SSO_X", "secret_encrypted": "gAAAA"},  # both
        {"secret_env": "not a name"},
        {"client_id": ""},
    ],
)
def test_the_database_refuses_a_provider_that_breaks_the_rules(values):
    council = CouncilFactory()
    fields = {
        "issuer": "https://idp.example.gov.uk",
        "client_id": "abc",
        "secret_env": "SSO_SECRET",
        "secret_encrypted": "",
        **values,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilIdentityProvider.objects.create(council=council, **fields)


def _save(council, actor=None, **kwargs):
    values = {
        "issuer": "https://idp.example.gov.uk",
        "client_id": "abc",
        "secret_env": "",
        "client_secret": "x",
        "vouched_domains": [council.domains.first().domain],
        **kwargs,
    }
    return services.identity_provider_save(
        actor=actor or OrganiserFactory(), council=council, **values
    )


def test_only_organisers_configure_providers_and_one_per_council():
    council = CouncilFactory()
    CouncilDomainFactory(council=council)
    with pytest.raises(ServiceError, match="Only an organiser"):
        _save(council, actor=UserFactory())
    _save(council)
    with pytest.raises(ServiceError, match="already has a sign-in service"):
        _save(council)


def test_a_loopback_issuer_is_refused_unless_allowed():
    council = CouncilFactory()
    CouncilDomainFactory(council=council)
    with pytest.raises(ServiceError, match="https://"):
        _save(council, issuer="http://127.0.0.1:9000/o", allow_loopback=False)
    with override_settings(SSO_ALLOW_LOOPBACK_ISSUER=False), pytest.raises(ServiceError):
        _save(council, issuer="http://127.0.0.1:9000/o")
    assert _save(council, issuer="http://127.0.0.1:9000/o/", allow_loopback=True).issuer == (
        "http://127.0.0.1:9000/o"
    )


def test_another_councils_domain_cannot_be_vouched_for():
    council, other = CouncilFactory(), CouncilFactory()
    CouncilDomainFactory(council=council)
    theirs = CouncilDomainFactory(council=other)
    with pytest.raises(ServiceError, match="is not one of"):
        _save(council, vouched_domains=[theirs.domain])


def test_the_activity_log_records_each_change_to_a_councils_sign_in_but_never_its_secret():
    council = CouncilFactory()
    CouncilDomainFactory(council=council)
    organiser = OrganiserFactory()
    provider = _save(council, actor=organiser, client_secret="first-secret")
    services.identity_provider_save(
        actor=organiser,
        council=council,
        provider=provider,
        issuer="https://login.example.gov.uk",
        client_id="abc",
        secret_env="",
        client_secret="",  # keeps the stored secret
        vouched_domains=[council.domains.first().domain],
    )
    services.identity_provider_set_enabled(actor=organiser, provider=provider, enabled=False)

    configured, changed, removed = ActivityEntry.objects.filter(council=council).order_by("pk")
    assert configured.action == ActivityAction.COUNCIL_SSO_CONFIGURED
    assert configured.actor == organiser
    assert configured.details["secret_replaced"] is True
    assert changed.action == ActivityAction.COUNCIL_SSO_CHANGED
    assert changed.details == {
        "issuer": {"before": "https://idp.example.gov.uk", "after": "https://login.example.gov.uk"}
    }
    assert removed.action == ActivityAction.COUNCIL_SSO_REMOVED
    assert "first-secret" not in str([configured.details, changed.details, removed.details])
    assert changed.details_lines == [
        "Issuer: https://idp.example.gov.uk → https://login.example.gov.uk"
    ]
