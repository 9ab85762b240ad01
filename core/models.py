from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

SITE_SETTINGS_CACHE_KEY = "site-settings"


class SiteSettings(models.Model):
    """The one record of brand facts that templates show: never literals in HTML."""

    brand_name = models.CharField(_("brand name"), max_length=100)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    main_phone = PhoneNumberField(_("main phone"))
    main_email = models.EmailField(_("main email"), blank=True)
    address = models.CharField(
        _("head office address"),
        max_length=250,
        blank=True,
        help_text=_("One line, shown in the footer."),
    )

    class Meta:
        # Moved here from the pages app; the table keeps its name.
        db_table = "pages_sitesettings"
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return self.brand_name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(SITE_SETTINGS_CACHE_KEY)
        # And at commit, in case a request re-read the old record in between.
        transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))

    @property
    def main_phone_display(self):
        return self.main_phone.as_national if self.main_phone else ""

    @property
    def main_phone_tel(self):
        return self.main_phone.as_e164 if self.main_phone else ""

    @classmethod
    def load(cls):
        """The settings record, from cache; a blank default before any is saved."""
        obj = cache.get(SITE_SETTINGS_CACHE_KEY)
        if obj is None:
            try:
                obj = cls.objects.filter(pk=1).first()
            except DatabaseError:
                # Error pages must still render, with a phone number, when the
                # database is away; fall back to the values in the environment.
                return cls.fallback()
            obj = obj or cls.fallback()
            cache.set(SITE_SETTINGS_CACHE_KEY, obj, 3600)
        return obj

    @classmethod
    def fallback(cls):
        return cls(
            brand_name=settings.CLINIC_FALLBACK_NAME,
            main_phone=settings.CLINIC_FALLBACK_PHONE or None,
        )
