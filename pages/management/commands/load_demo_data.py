from django.core.management.base import BaseCommand

from core.models import SiteSettings
from locations.demo import load_demo_locations
from pages.content_loader import load_articles


class Command(BaseCommand):
    help = (
        "Load the fictional demo clinic, its locations and the education "
        "articles. Safe to run again: nothing that exists is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh-articles",
            action="store_true",
            help="Replace existing articles with the shipped versions.",
        )

    def handle(self, *args, refresh_articles=False, **options):
        if not SiteSettings.objects.exists():
            SiteSettings(
                brand_name="Lanternfield Ketamine Clinics",
                tagline="Careful, monitored ketamine treatment",
                main_phone="+15105550100",
                main_email="hello@lanternfield.example",
                address="1800 Harbor Light Way, Suite 300, Oakland, CA 94612",
            ).save()
        locations = load_demo_locations()
        articles = load_articles(refresh=refresh_articles)
        self.stdout.write(
            f"Demo data ready: {locations} new location(s), {articles} article(s) written."
        )
