"""``manage.py load_demo``: the data ``make run`` loads, safe to run again."""

import builtins
import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from wagtail.models import Page

from accounts.models import User
from councils.models import Council, CouncilDomain, Membership, MembershipStatus

pytestmark = pytest.mark.django_db

SHARED_DIR = (Path(__file__).resolve().parents[3] / "shared").resolve()  # it may be a link


@pytest.fixture
def without_shared(monkeypatch):
    """Fail any attempt to open a file under ../shared, as on a machine that has none."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | Path) and Path(file).resolve().is_relative_to(SHARED_DIR):
            raise FileNotFoundError(f"{file} (../shared is not there on this machine)")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    from django.apps import apps

    found = {
        "councils": Council.objects.count(),
        "domains": CouncilDomain.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "pages": Page.objects.count(),
    }
    # Whatever else the demo loads (projects, pledges, ...) must not double either.
    for model in apps.get_app_config("projects").get_models():
        found[model._meta.label] = model.objects.count()
    return found


def test_load_demo_twice_adds_nothing_the_second_time(without_shared):
    with pytest.raises(FileNotFoundError):  # the guard works
        open(SHARED_DIR / "data" / "README.md")  # noqa: SIM115

    output = load_demo()
    first = counts()
    second_output = load_demo()

    assert counts() == first
    assert first["councils"] == 39
    assert first["users"] == 14
    assert first["pages"] > 2  # the root, the home page and the standard pages
    assert "organiser@example.com" in output
    assert "pipeline-demo-2026" in second_output


def test_the_demo_people_can_do_what_the_readme_says(without_shared):
    load_demo()

    organiser = User.objects.get(email="organiser@example.com")
    hackney_admin = User.objects.get(email="amara.okafor@example.com")
    newcomer = User.objects.get(email="newcomer@example.com")
    assert organiser.is_organiser
    assert organiser.check_password("pipeline-demo-2026")
    assert Membership.objects.get(user=hackney_admin).is_admin
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.PENDING
    assert Membership.objects.get(user=newcomer).council.code == "HCK"
    assert Council.objects.get(code="CRF").name_cy == "Caerdydd"
    assert EmailAddress.objects.filter(user=hackney_admin, verified=True).exists()


def test_a_demo_password_changed_by_hand_survives_a_second_load(without_shared):
    load_demo()
    user = User.objects.get(email="amara.okafor@example.com")
    user.set_password("my-own-passphrase-123")
    user.save()

    load_demo()

    user.refresh_from_db()
    assert user.check_password("my-own-passphrase-123")


def test_the_demo_keeps_a_fuller_register_already_imported(shared_data):
    call_command(
        "import_councils",
        str(shared_data / "uk_local_authorities_current.csv"),
        "--welsh-names",
        str(shared_data / "welsh_principal_authorities.tsv"),
        stdout=io.StringIO(),
    )
    hackney = Council.objects.get(code="HCK")

    load_demo()
    load_demo()

    assert Council.objects.count() == 470
    assert Council.objects.get(code="HCK").slug == hackney.slug
    assert Membership.objects.filter(council__code="HCK", status="verified").count() == 2


def test_load_demo_refuses_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())

    assert not User.objects.exists()
