"""Welsh: every interface string has a translation, and pages and emails come out in Welsh.

The catalogues are ``locale/cy/LC_MESSAGES/django.po`` (our own strings, written by
``make messages``) and ``locale/vendor/cy/LC_MESSAGES/django.po`` (Welsh our packages lack:
allauth's account pages and emails, which allauth ships no Welsh for, and the password rules and
form errors Django's Welsh leaves out). The page and email tests compile both into a temporary
directory first, so they test the committed .po files, not a stale build.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import allauth
import django
import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import NotificationFrequency
from councils.models import Nation
from projects.models import PledgeState
from projects.notifications import send_digests
from projects.services import people
from tests.factories import (
    CouncilFactory,
    ServiceAreaFactory,
    make_pledge,
    published_project,
    verified_member,
)

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
VENDOR_CATALOGUE = ROOT / "locale" / "vendor" / "cy" / "LC_MESSAGES" / "django.po"
WELSH_PLURALS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
# What `make messages` leaves out; the copy for extraction leaves out the same.
NOT_SCANNED = {
    ".git",
    ".venv",
    "node_modules",
    "static_build",
    "locale",
    "media",
    "__pycache__",
    ".ruff_cache",
}
EXTENSIONS = {".py", ".html", ".txt"}


# --- reading .po files -------------------------------------------------------------------------


def read_po(path: Path) -> dict[tuple[str, str], dict]:
    """{(msgctxt, msgid): entry} for every live entry; an entry has msgstr forms and flags."""
    entries: dict[tuple[str, str], dict] = {}
    entry: dict | None = None
    key = None

    def finish():
        if entry and "msgid" in entry and not entry["obsolete"]:
            entries[(entry.get("msgctxt", ""), entry["msgid"])] = entry

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        starts_entry = line.startswith(("#", "msgctxt", "msgid "))
        if not line.strip() or (entry and entry.get("msgstr") and starts_entry):
            finish()
            entry, key = None, None
            if not line.strip():
                continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(
            r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (\".*\")$", line
        ):
            name, form, text = match.groups()
            if name.startswith("msgstr"):
                key = ("msgstr", int(form or 0))
                entry["msgstr"][key[1]] = ast.literal_eval(text)
            else:
                key = (name, None)
                entry[name] = ast.literal_eval(text)
        elif line.startswith('"') and key:
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += ast.literal_eval(line)
            else:
                entry[key[0]] += ast.literal_eval(line)
    return entries


def problems(extracted: dict, committed: dict) -> list[str]:
    """What is wrong with ``committed`` for the strings in ``extracted``, one line each."""
    found = []
    for key, source in extracted.items():
        if key == ("", ""):
            continue
        entry = committed.get(key)
        label = repr(key[1]) + (f" (context {key[0]!r})" if key[0] else "")
        if entry is None:
            found.append(f"missing: {label}")
        elif "fuzzy" in entry["flags"]:
            found.append(f"fuzzy: {label}")
        elif "msgid_plural" in source and len(entry["msgstr"]) != 4:
            found.append(f"needs 4 plural forms: {label}")
        elif not all(entry["msgstr"].values()):
            found.append(f"untranslated: {label}")
    return found


def extract(source_root: Path, tmp_path: Path) -> dict:
    """Run makemessages for Welsh over a copy of ``source_root``; return what it extracted."""
    work = tmp_path / "work"
    locale = work / "locale"
    locale.mkdir(parents=True)
    shutil.copytree(source_root, work, dirs_exist_ok=True, ignore=_not_interface_source)
    cwd = Path.cwd()
    try:
        os.chdir(work)
        with override_settings(LOCALE_PATHS=[locale]):
            call_command(
                "makemessages",
                locale=["cy"],
                ignore_patterns=sorted(NOT_SCANNED),
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    return read_po(locale / "cy" / "LC_MESSAGES" / "django.po")


def _not_interface_source(directory: str, names: list[str]) -> set[str]:
    def skip(name: str) -> bool:
        path = Path(directory) / name
        if name in NOT_SCANNED or name.endswith(".egg-info"):
            return True
        return path.is_file() and path.suffix not in EXTENSIONS

    return {name for name in names if skip(name)}


def msgfmt() -> str:
    found = shutil.which("msgfmt")
    if not found:
        pytest.fail("GNU gettext's msgfmt is needed (apt-get install gettext)")
    return found


# --- (a) every string translated ---------------------------------------------------------------


def test_every_interface_string_has_a_welsh_translation(tmp_path):
    """Fails when a string in a template or in Python is new, or has no Welsh, or is fuzzy.

    Fix with `make messages`, then translate what it added to locale/cy/LC_MESSAGES/django.po.
    """
    extracted = extract(ROOT, tmp_path)
    assert len(extracted) > 500  # the extraction really ran over the project
    found = problems(extracted, read_po(CATALOGUE))
    assert not found, "Run `make messages` and translate:\n" + "\n".join(found)


def test_allauth_account_pages_and_emails_have_welsh(tmp_path):
    """allauth has no Welsh of its own: ours covers its account pages, forms, messages and emails.

    After upgrading allauth, new strings fail here; add them to locale/vendor/cy/.
    """
    package = Path(allauth.__file__).parent
    source = tmp_path / "allauth"
    shutil.copytree(package / "account", source / "account", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(package / "templates" / "account", source / "templates" / "account")
    extracted = extract(source, tmp_path)
    assert len(extracted) > 100
    found = problems(extracted, read_po(VENDOR_CATALOGUE))
    assert not found, "Translate in locale/vendor/cy/LC_MESSAGES/django.po:\n" + "\n".join(found)


def test_allauth_two_factor_forms_and_messages_have_welsh(tmp_path):
    """allauth's MFA pages are ours (templates/mfa/), but its forms' labels and errors and its
    adapter's messages still reach them: those need Welsh in locale/vendor/cy/ too."""
    package = Path(allauth.__file__).parent / "mfa"
    source = tmp_path / "allauth" / "mfa"
    for part in ("base", "totp", "recovery_codes", "webauthn"):
        if (package / part / "forms.py").exists():
            (source / part).mkdir(parents=True)
            shutil.copy(package / part / "forms.py", source / part)
    shutil.copy(package / "adapter.py", source)
    extracted = extract(tmp_path / "allauth", tmp_path)
    assert len(extracted) > 5
    found = problems(extracted, read_po(VENDOR_CATALOGUE))
    assert not found, "Translate in locale/vendor/cy/LC_MESSAGES/django.po:\n" + "\n".join(found)


def test_django_password_rules_and_form_errors_have_welsh(tmp_path):
    """Django's own Welsh misses some strings people meet in our forms; ours fills the gaps."""
    package = Path(django.__file__).parent
    source = tmp_path / "django"
    shutil.copytree(package / "forms", source / "forms", ignore=shutil.ignore_patterns("*.html"))
    (source / "auth").mkdir()
    shutil.copy(package / "contrib" / "auth" / "password_validation.py", source / "auth")
    shutil.copy(package / "core" / "validators.py", source)
    extracted = extract(source, tmp_path)
    assert len(extracted) > 50
    django_welsh = {}
    for catalogue in ("conf", "contrib/auth"):
        mo = package / catalogue / "locale" / "cy" / "LC_MESSAGES" / "django.mo"
        with mo.open("rb") as file:
            django_welsh.update(gettext.GNUTranslations(file)._catalog)
    known = {key if isinstance(key, str) else key[0] for key in django_welsh}
    gaps = {key: entry for key, entry in extracted.items() if key[1] not in known}
    found = problems(gaps, read_po(VENDOR_CATALOGUE))
    assert not found, "Translate in locale/vendor/cy/LC_MESSAGES/django.po:\n" + "\n".join(found)


@pytest.mark.parametrize("catalogue", [CATALOGUE, VENDOR_CATALOGUE], ids=["pipeline", "vendor"])
def test_catalogue_passes_msgfmt_checks(catalogue):
    """Placeholders (%(name)s, %s, {name}) match, the header is sound, plurals are Welsh."""
    result = subprocess.run(  # noqa: S603 - a fixed program on our own file
        [msgfmt(), "--check-format", "--check-header", "--check-domain", "-o", "/dev/null"]
        + [str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    header = read_po(catalogue)[("", "")]["msgstr"][0]
    assert f"Plural-Forms: {WELSH_PLURALS}\n" in header
    assert "Language: cy\n" in header
    assert not any("fuzzy" in entry["flags"] for entry in read_po(catalogue).values())


def test_welsh_starts_with_a_capital_where_the_english_does():
    """A label is capitalised like the others in Welsh too ("Cod GSS", not "cod GSS" beside
    "Rhanbarth"), and a lower-case word inside a sentence stays lower case."""

    def first_letter(text: str) -> str:
        """The first letter, or "" when the text starts with a placeholder or markup."""
        text = text.lstrip(" “‘\"'(")
        return text[0] if text[:1].isalpha() else ""

    found = []
    for (_context, msgid), entry in read_po(CATALOGUE).items():
        english, welsh = first_letter(msgid), first_letter(entry["msgstr"].get(0, ""))
        if english and welsh and english.isupper() != welsh.isupper():
            found.append(f"{msgid!r} -> {entry['msgstr'][0]!r}")
    assert not found, "\n".join(found)


# --- compiled catalogues for the page and email tests ------------------------------------------


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory) -> list[Path]:
    """The committed catalogues compiled afresh, in LOCALE_PATHS order."""
    root = tmp_path_factory.mktemp("locale")
    paths = []
    for source, name in ((CATALOGUE, "pipeline"), (VENDOR_CATALOGUE, "vendor")):
        target = root / name / "cy" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(  # noqa: S603
            [msgfmt(), "-o", str(target / "django.mo"), str(source)], check=True
        )
        paths.append(root / name)
    return paths


@pytest.fixture
def welsh_catalogues(compiled_locale, settings):
    settings.LOCALE_PATHS = compiled_locale  # resets Django's translation caches
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """Cardiff leads a published project; Swansea has pledged to it."""
    cardiff = CouncilFactory(
        code="CRF",
        short_name="Cardiff",
        name="Cardiff Council",
        name_cy="Caerdydd",
        official_name_cy="Cyngor Caerdydd",
        slug="cardiff",
        nation=Nation.WALES,
        region="Wales",
    )
    swansea = CouncilFactory(
        short_name="Swansea", name_cy="Abertawe", slug="swansea", nation=Nation.WALES
    )
    area = ServiceAreaFactory(name="Waste")
    project = published_project(
        lead_council=cardiff, title="Book a bulky waste collection", service_areas=[area]
    )
    pledger = verified_member(swansea)
    pledge = make_pledge(project, council=swansea, actor=pledger, amount=250_000)
    return {
        "cardiff": cardiff,
        "swansea": swansea,
        "area": area,
        "project": project,
        "owner": project.owner,
        "pledger": pledger,
        "pledge": pledge,
    }


def welsh_page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert '<html lang="cy"' in html, path
    return html


# --- (b) pages in Welsh ------------------------------------------------------------------------


@pytest.mark.usefixtures("welsh_catalogues")
class TestPagesInWelsh:
    def test_project_listing(self, client, world):
        html = welsh_page(client, "/cy/projects/")
        assert "Prosiectau digidol a rennir y mae cynghorau" in html
        assert "Neidio i'r prif gynnwys" in html or "Neidio i&#x27;r prif gynnwys" in html
        assert "Mewngofnodi" in html
        assert "1 prosiect" in html
        assert "Skip to main content" not in html
        assert "Book a bulky waste collection" in html  # people's words stay as written

    def test_council_directory(self, client, world):
        html = welsh_page(client, "/cy/councils/")
        assert "Pob awdurdod lleol yn y DU sydd ar y gofrestr" in html
        assert "Defnyddio hidlyddion" in html

    def test_project_page(self, client, world):
        html = welsh_page(client, f"/cy/projects/{world['project'].slug}/")
        assert "Ffeithiau allweddol" in html
        assert "Yn chwilio am gefnogaeth" in html
        assert "Addewidion i&#x27;r prosiect hwn" in html or "Addewidion i'r prosiect hwn" in html
        assert "Key facts" not in html

    def test_pledge_form(self, client, world):
        client.force_login(verified_member(CouncilFactory(short_name="Newport")))
        html = welsh_page(client, f"/cy/projects/{world['project'].slug}/pledge/")
        assert "Tuag at beth ydych chi" in html
        assert "Parhau" in html
        assert "Arian ar gyfer y prosiect cyfan" in html
        assert (
            "Nodyn i&#x27;r ddau gyngor yn unig" in html or "Nodyn i'r ddau gyngor yn unig" in html
        )

    def test_pledge_form_errors(self, client, world):
        client.force_login(verified_member(CouncilFactory(short_name="Newport")))
        response = client.post(f"/cy/projects/{world['project'].slug}/pledge/", {})
        html = response.content.decode()
        assert "Mae problem" in html
        assert "There is a problem" not in html

    def test_the_whole_pledge_flow_in_welsh(self, client, world):
        """From the English project page, switch to Welsh, pledge, and read the confirmation:
        every step stays under /cy/ and in Welsh."""
        newport = CouncilFactory(short_name="Newport", name_cy="Casnewydd")
        client.force_login(verified_member(newport))
        english = client.get(f"/projects/{world['project'].slug}/").content.decode()
        switch = f'href="/cy/projects/{world["project"].slug}/"'
        assert switch in english

        form = welsh_page(client, f"/cy/projects/{world['project'].slug}/pledge/")
        assert "Parhau" in form
        response = client.post(
            f"/cy/projects/{world['project'].slug}/pledge/",
            {"council": newport.pk, "towards": "money", "amount": "1500", "note": ""},
        )
        assert response.status_code == 302 and response["Location"].startswith("/cy/")
        check = welsh_page(client, response["Location"])
        assert "Gwiriwch eich addewid cyn i chi ei wneud" in check
        assert "Gwneud addewid" in check
        response = client.post(response["Location"])
        assert response.status_code == 302 and response["Location"].startswith("/cy/")
        confirmation = welsh_page(client, response["Location"])
        assert "Addewid wedi&#x27;i wneud" in confirmation or "Addewid wedi'i wneud" in confirmation
        assert "Pledge made" not in confirmation
        assert "£1,500" in confirmation

    def test_sign_in_page(self, client, db):
        html = welsh_page(client, "/cy/accounts/login/")
        assert "Mewngofnodi" in html
        assert "Cofio fi" in html
        assert "Wedi anghofio eich cyfrinair?" in html
        assert "cofrestrwch" in html
        for english in ("Sign In", "Remember Me", "Forgot your password?"):
            assert english not in html

    def test_sign_up_page_and_its_password_rules(self, client, db):
        html = welsh_page(client, "/cy/accounts/signup/")
        assert "Ni all eich cyfrinair fod yn rhifau i gyd." in html
        assert "entirely numeric" not in html
        response = client.post(
            "/cy/accounts/signup/",
            {"email": "newydd@example.org", "password1": "12345678", "password2": "12345678"},
        )
        assert "Mae&#x27;r cyfrinair hwn yn rhifau i gyd." in response.content.decode()

    def test_english_stays_english(self, client, world):
        html = client.get("/projects/").content.decode()
        assert '<html lang="en-GB"' in html
        assert "Skip to main content" in html
        assert "Neidio" not in html


# --- (c) Welsh council names -------------------------------------------------------------------


@pytest.mark.usefixtures("welsh_catalogues")
def test_welsh_council_shows_its_welsh_name_under_cy(client, world):
    welsh = welsh_page(client, "/cy/councils/cardiff/")
    assert "<title>Caerdydd – Pipeline</title>" in welsh
    assert '<h1 class="govuk-heading-xl">Cyngor Caerdydd</h1>' in welsh
    english = client.get("/councils/cardiff/").content.decode()
    assert "<title>Cardiff – Pipeline</title>" in english
    assert '<h1 class="govuk-heading-xl">Cardiff Council</h1>' in english
    listing = welsh_page(client, "/cy/projects/")
    assert "Caerdydd" in listing  # the lead council on each card


@pytest.mark.usefixtures("welsh_catalogues")
def test_welsh_pages_show_the_fixed_vocabularies_in_welsh(client, world):
    world["cardiff"].authority_type_name = "Welsh unitary authority"
    world["cardiff"].save()
    parking = ServiceAreaFactory(name="Parking", name_cy="Parcio")
    world["project"].service_areas.add(parking)  # "Waste" has no Welsh name: marked English
    kent = CouncilFactory(short_name="Kent", region="South East", authority_type_name="County")
    council = welsh_page(client, "/cy/councils/cardiff/")
    directory = welsh_page(client, "/cy/councils/?status=all")
    project = welsh_page(client, f"/cy/projects/{world['project'].slug}/")
    listing = welsh_page(client, "/cy/projects/")
    kent_page = welsh_page(client, f"/cy/councils/{kent.slug}/")

    assert '<span class="govuk-caption-l">Awdurdod unedol yng Nghymru</span>' in council
    assert ">Cymru</dd>" in council and "Cod GSS" in kent_page
    assert "De-ddwyrain Lloegr" in kent_page and '<span class="govuk-caption-l">Sir</span>' in (
        kent_page
    )
    assert ">Welsh unitary authority<" not in council + directory
    assert '<option value="South East">De-ddwyrain Lloegr</option>' in directory
    assert '<option value="County">Sir</option>' in directory
    assert ">Parcio</a>" in project and ">Parcio</span>" in listing
    assert 'lang="en-GB">Waste</a>' in project
    assert '<option value="parking">Parcio</option>' in listing
    english = client.get(f"/projects/{world['project'].slug}/").content.decode()
    assert ">Parking</a>" in english and 'lang="en-GB">Waste' not in english


# --- (d) emails in the person's language -------------------------------------------------------


@pytest.mark.usefixtures("welsh_catalogues")
def test_digest_for_a_welsh_speaker_is_in_welsh(world, django_capture_on_commit_callbacks):
    project = world["project"]
    reader = verified_member(
        CouncilFactory(), language="cy", notification_frequency=NotificationFrequency.DAILY
    )
    people.follow_project(actor=reader, project=project)
    with django_capture_on_commit_callbacks(execute=True):
        people.update_post(
            actor=world["owner"], project=project, title="Alpha done", body="Tested with users."
        )
    mail.outbox.clear()
    assert send_digests(NotificationFrequency.DAILY) == (1, 1)
    (message,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert message.subject == "[Pipeline] Eich crynodeb Pipeline: 1 eitem newydd"
    assert message.body.startswith(f"Helo {reader.get_short_name()},")
    assert "Dyma beth sydd wedi digwydd ar Pipeline ers eich crynodeb diwethaf." in message.body
    assert "Book a bulky waste collection: Alpha done" in message.body
    assert f"/cy/projects/{project.slug}/" in message.body  # links open the Welsh pages
    assert "Here is what happened" not in message.body


@pytest.mark.usefixtures("welsh_catalogues")
def test_pledge_email_goes_in_each_persons_language(world, django_capture_on_commit_callbacks):
    project = world["project"]
    welsh_pledger = verified_member(world["swansea"], language="cy")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_pledge(
            project,
            council=world["swansea"],
            actor=welsh_pledger,
            amount=100_000,
            state=PledgeState.ACCEPTED,
        )
    to_pledger = [m for m in mail.outbox if m.to == [welsh_pledger.email]]
    assert [m.subject for m in to_pledger] == [
        "[Pipeline] Cafodd eich addewid i Book a bulky waste collection ei dderbyn"
    ]
    assert "Cafodd yr addewid o £1,000 gan Abertawe i Book a bulky waste collection" in (
        to_pledger[0].body
    )
    # The owner chose English: their "new offer" email is in English, whatever came before.
    to_owner = [m for m in mail.outbox if m.to == [world["owner"].email]]
    assert to_owner and to_owner[0].subject.startswith("[Pipeline] Swansea offered support")


# --- (e) the language switcher -----------------------------------------------------------------


def switcher_links(html: str) -> dict[str, str]:
    """{language code of the link: href} from the language navigation."""
    nav = re.search(r'<nav class="govuk-language-navigation".*?</nav>', html, re.S)
    assert nav, "no language switcher"
    return {
        lang: href.replace("&amp;", "&")
        for href, lang in re.findall(r'<a [^>]*href="([^"]*)"[^>]*\blang="([^"]+)"', nav.group(0))
    }


def pages_to_check(world) -> list[tuple[str, str | None]]:
    """(English path, who signs in) for every kind of page a person can open."""
    project, pledge = world["project"], world["pledge"]
    cardiff, area = world["cardiff"], world["area"]
    slug = project.slug
    owner = "owner"
    return [
        ("/", None),
        (reverse("projects:list"), None),
        (reverse("projects:list") + "?state=seeking_support&sort=newest", None),
        (reverse("projects:detail", args=[slug]), None),
        (reverse("projects:areas"), owner),
        (reverse("projects:new"), owner),
        (reverse("projects:edit", args=[slug, "about"]), owner),
        (reverse("projects:needs", args=[slug]), owner),
        (reverse("projects:manage", args=[slug]), owner),
        (reverse("projects:team", args=[slug]), owner),
        (reverse("projects:update_new", args=[slug]), owner),
        (reverse("projects:pledge_detail", args=[pledge.pk]), owner),
        (reverse("projects:pledge_action", args=[pledge.pk, "accept"]), owner),
        (reverse("projects:pledge", args=[slug]), "pledger"),
        (reverse("projects:join", args=[slug]), "pledger"),
        (reverse("projects:demand", args=[slug]), "pledger"),
        (reverse("councils:directory"), None),
        (reverse("councils:detail", args=[cardiff.slug]), None),
        (reverse("councils:join"), owner),
        (reverse("councils:members", args=[cardiff.slug]), "admin"),
        (reverse("accounts:profile"), owner),
        (reverse("accounts:profile_edit"), owner),
        (reverse("accounts:security"), owner),
        (reverse("accounts:account_delete"), owner),
        (reverse("dashboard"), owner),
        (reverse("search") + "?q=waste", None),
        (reverse("account_login"), None),
        (reverse("account_signup"), None),
        (reverse("account_reset_password"), None),
        (reverse("account_email"), owner),
        (reverse("account_change_password"), owner),
        ("/no-such-page/", None),
        (f"/projects/areas/{area.slug}/feed/", None),  # not HTML: no switcher expected
    ]


@pytest.mark.usefixtures("welsh_catalogues")
def test_language_switcher_links_to_the_same_page_in_the_other_language(world):
    people = {
        "owner": world["owner"],
        "pledger": world["pledger"],
        "admin": verified_member(world["cardiff"], admin=True),
    }
    checked = 0
    for path, who in pages_to_check(world):
        client = Client()
        if who:
            client.force_login(people[who])
        english = client.get(path)
        if "text/html" not in english.get("Content-Type", ""):
            continue
        assert english.status_code in (200, 404), path
        welsh_path = "/cy" + path
        assert switcher_links(english.content.decode()) == {"cy": welsh_path}, path
        welsh = client.get(welsh_path)
        assert welsh.status_code == english.status_code, welsh_path
        welsh_html = welsh.content.decode()
        assert '<html lang="cy"' in welsh_html, welsh_path
        assert switcher_links(welsh_html) == {"en": path}, welsh_path
        checked += 1
    assert checked >= 25
