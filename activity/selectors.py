"""Reading the activity log."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from councils.models import Council
from projects.models import Project

from .models import ActivityEntry


def activity_list() -> QuerySet[ActivityEntry]:
    """Newest first, with what each row shows fetched in the same query."""
    return ActivityEntry.objects.select_related("actor", "council", "project").order_by(
        "-created_at", "-pk"
    )


def activity_actors() -> QuerySet:
    """People who appear in the log (to filter by), by name."""
    return (
        get_user_model()
        ._default_manager.filter(pk__in=ActivityEntry.objects.values("actor"))
        .order_by("first_name", "last_name", "email")
    )


def activity_councils() -> QuerySet[Council]:
    return Council.objects.filter(pk__in=ActivityEntry.objects.values("council")).order_by(
        "short_name"
    )


def activity_projects() -> QuerySet[Project]:
    return Project.objects.filter(pk__in=ActivityEntry.objects.values("project")).order_by("title")
