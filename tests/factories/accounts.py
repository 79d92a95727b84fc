import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.organisers import organisers_group

PASSWORD = "correct-horse-battery-staple"


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


class OrganiserFactory(UserFactory):
    @factory.post_generation
    def organiser_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(organisers_group())
