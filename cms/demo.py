"""Demo pages for ``make run``: the standard pages the footer links to. Idempotent."""

from django.db import transaction

from .models import HomePage, StandardPage

PAGES = [
    (
        "about",
        "About Pipeline",
        "Pipeline helps UK councils build digital services once and share them.",
        [
            "Councils across the UK solve the same problems: booking a bulky waste collection, "
            "applying for a parking permit, reporting a housing repair. Pipeline lets a council "
            "post the project it is working on, say what it needs, and have other councils "
            "pledge money or staff time and join the team that builds it.",
            "Every pledge is recorded in an open ledger, so a council's finance team can see "
            "what has been offered, accepted and delivered. Projects show their progress and "
            "updates, so they are not added and forgotten.",
            "Pipeline is run by LocalGov Digital, a network of digital practitioners in local "
            "government. Council data contains data from mySociety (CC-BY-4.0).",
        ],
    ),
    (
        "accessibility",
        "Accessibility statement for Pipeline",
        "This statement applies to the Pipeline website.",
        [
            "We want as many people as possible to be able to use this website. You should be "
            "able to change colours, contrast levels and fonts, zoom in up to 400% without the "
            "text spilling off the screen, navigate the whole website using just a keyboard, "
            "and listen to it using a screen reader.",
            "How accessible this website is: we test every page with automated tools in a "
            "real browser and by keyboard. Known issues are listed here as we find them.",
            "What to do if you cannot access parts of this website: email "
            "pipeline@localgov.digital and we will reply within 5 working days.",
            "Enforcement procedure: the Equality and Human Rights Commission (EHRC) is "
            "responsible for enforcing the Public Sector Bodies (Websites and Mobile "
            "Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with "
            "how we respond to your complaint, contact the Equality Advisory and Support "
            "Service (EASS).",
        ],
    ),
    (
        "privacy",
        "Privacy notice",
        "How Pipeline uses the information you give it.",
        [
            "We hold your name, job title, email address and the councils you belong to so "
            "that you can sign in and act for your council. Your name, job title and council "
            "are shown on the projects and teams you take part in.",
            "Pledges are public records of what councils have offered each other; they show "
            "the council and the person who made them.",
            "You can ask us to correct or delete your account by emailing "
            "pipeline@localgov.digital.",
        ],
    ),
    (
        "terms",
        "Terms of use",
        "The rules for using Pipeline.",
        [
            "Only act for a council you work for. Pledges are statements of intent between "
            "councils and do not replace each council's own procurement and finance rules.",
            "Content that you post is published under the Open Government Licence unless you "
            "say otherwise. Do not post personal data about residents.",
        ],
    ),
]


@transaction.atomic
def load() -> None:
    home = HomePage.objects.first()
    if home is None:
        return
    for slug, title, summary, paragraphs in PAGES:
        if StandardPage.objects.filter(slug=slug).exists():
            continue
        body = [
            {"type": "rich_text", "value": "".join(f"<p>{p}</p>" for p in paragraphs)},
        ]
        page = StandardPage(title=title, slug=slug, summary=summary, body=body)
        home.add_child(instance=page)
        page.save_revision().publish()
