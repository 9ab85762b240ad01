from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caching import bump_content_version

CONTENT_MODELS = {
    "pages.Article",
    "pages.Reference",
    "pages.Clinician",
    "pages.SiteSettings",
    "locations.Location",
    "locations.OpeningHours",
    "locations.HolidayClosure",
}


@receiver(post_save)
@receiver(post_delete)
def purge_page_cache(sender, **kwargs):
    if sender._meta.label in CONTENT_MODELS:
        bump_content_version()
        # Again at commit: a visitor's request between the save and the commit
        # still reads the old rows, and would store them under the new version.
        transaction.on_commit(bump_content_version)
