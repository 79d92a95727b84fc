"""The Organisers group: LocalGov Digital staff who curate and moderate in the Wagtail admin."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page

from .models import ORGANISERS_GROUP

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
# (app label, codename): simple_translation's "Translate" action, to make a page's Welsh version.
GROUP_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("simple_translation", "submit_translation"),
]


def organisers_group() -> Group:
    """The group with Wagtail admin access and page permissions, made again if it is missing.

    A data migration creates it; tests that truncate tables, and fresh databases restored from
    a partial dump, can lose it, so the demo and the test factories ask for it through here.
    """
    group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in GROUP_PERMISSIONS
        )
    )
    root = Page.get_first_root_node()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group
