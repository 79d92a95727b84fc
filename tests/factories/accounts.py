import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from accounts.organisers import organisers_group

PASSWORD = "correct-horse-battery-staple"
# The authenticator-app secret of every enrolled person the factories make (base32), so a test
# can work out the code their app would show (tests/accounts/totp.py).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol(user: User) -> User:
    """Give the person an authenticator app (allauth's TOTP) with ``TOTP_SECRET``: the second
    factor organisers, council admins and approvers need before they use those powers."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)
    user.__dict__.pop("_has_second_factor", None)
    return user


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a confirmed email address who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    job_title = "Digital officer"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def confirmed(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def enrolled(obj, create, extracted, **kwargs):
        """A second factor with ``enrolled=True``, and for superusers (organisers) unless
        ``enrolled=False``."""
        if create and (extracted or (extracted is None and obj.is_superuser)):
            enrol(obj)


class OrganiserFactory(UserFactory):
    """An organiser, enrolled in two-factor authentication unless ``enrolled=False``."""

    @factory.post_generation
    def organiser_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(organisers_group())

    @factory.post_generation
    def enrolled(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            enrol(obj)
