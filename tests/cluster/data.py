"""The fault test's data, in the cluster's own database: seed it before, report it after.

    python -m tests.cluster.data seed      councils, people, tokens, projects, followers (JSON)
    python -m tests.cluster.data report    pledges, ledger events, updates, deliveries (JSON)

Run by tests/cluster/test_faults.py with the cluster's environment (production settings), so
the data is made the way the running site reads it, through factories and services.
"""

import json
import sys

import django


def seed() -> dict:
    from accounts.models import NotificationFrequency
    from accounts.services import api_token_create
    from projects.services import people
    from tests.factories import (
        CouncilFactory,
        NeedFactory,
        OrganiserFactory,
        ProjectFactory,
        UserFactory,
        verified_member,
    )

    def token(user) -> str:
        return api_token_create(user=user, name="Fault test")[1]

    lead = CouncilFactory(code="FLT", short_name="Faultshire")
    owner = verified_member(lead, password=None)
    pledgers = [CouncilFactory(code=f"FP{n}", short_name=f"Pledgeshire {n}") for n in range(3)]

    def project(title: str):
        made = ProjectFactory(published=True, title=title, lead_council=lead, owner=owner)
        NeedFactory(project=made, amount=100_000_000)
        return made

    to_pledge = [project(f"Pledged project {n}") for n in range(3)]
    # Updates go to projects no council pledges to, so their followers are all who hear of them.
    to_update = [project(f"Followed project {n}") for n in range(2)]
    followers = []
    for n in range(20):
        person = UserFactory(
            email=f"follower{n}@fault.example",
            password=None,
            notification_frequency=NotificationFrequency.IMMEDIATE,
        )
        for followed in to_update:
            people.follow_project(actor=person, project=followed)
        followers.append(person.pk)
    readers = [UserFactory(email=f"reader{n}@fault.example") for n in range(2)]
    # Organisers choose images from the library; a site administrator adds them.
    organiser = OrganiserFactory(email="organiser@fault.example", is_superuser=True)
    limited = verified_member(CouncilFactory(code="FLM"), password=None)
    return {
        "owner": {"id": owner.pk, "token": token(owner)},
        "pledgers": [
            {"council": council.code, "token": token(verified_member(council, password=None))}
            for council in pledgers
        ],
        "pledge_projects": [p.slug for p in to_pledge],
        "update_projects": {p.slug: p.pk for p in to_update},
        "project_urls": [p.get_absolute_url() for p in to_pledge + to_update],
        "followers": followers,
        "readers": [r.email for r in readers],
        "organiser": organiser.email,
        "limited": {"token": token(limited), "project": to_pledge[0].slug},
    }


def report() -> dict:
    from mail.models import Delivery
    from projects.models import Pledge, PledgeEvent, Update

    return {
        "pledges": list(Pledge.objects.values("pk", "note", "state")),
        "events": list(
            PledgeEvent.objects.values("pledge_id", "sequence", "from_state", "to_state", "note")
        ),
        "updates": list(Update.objects.values("pk", "project_id", "title")),
        "deliveries": list(Delivery.objects.values("key", "status", "attempts")),
    }


if __name__ == "__main__":
    django.setup()
    from django.db import transaction

    match sys.argv[1:]:
        case ["seed"]:
            with transaction.atomic():
                print(json.dumps(seed()))
        case ["report"]:
            print(json.dumps(report(), default=str))
        case _:
            sys.exit(__doc__)
