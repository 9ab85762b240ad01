"""The one place the site states ketamine's regulatory status.

Every page that needs these facts renders templates/includes/regulatory_status.html,
which reads these sentences; their dates and indications come from the fact
registry (pages/facts.py), which the articles use too, so no two pages can disagree. Sources: FDA labels for
Ketalar (NDA 016812) and Spravato (NDA 211243), and 21 CFR 1308.13 (DEA).
"""

from django.utils.translation import gettext as _

from core.facts import fact


def regulatory_facts() -> list[str]:
    """The box's sentences, with every date and indication from the registry."""
    return [
        _(
            "Ketamine (sold as Ketalar and as generic versions) was approved by "
            "the US Food and Drug Administration (FDA) in %(year)s for %(use)s. "
            "Using IV ketamine for depression, pain or other conditions is "
            "off-label: legal when a clinician prescribes it, but not an "
            "FDA-approved use."
        )
        % {
            "year": fact("ketamine-approval-year"),
            "use": fact("ketamine-approved-use"),
        },
        _(
            "Esketamine nasal spray (Spravato) is FDA-approved in three ways: in "
            "%(trd_year)s for %(trd)s; in %(mdsi_year)s for %(mdsi)s; and in "
            "%(alone_year)s for %(alone)s. Using it on its own is approved only "
            "for treatment-resistant depression."
        )
        % {
            "trd_year": fact("spravato-trd-year"),
            "trd": fact("spravato-trd-use"),
            "mdsi_year": fact("spravato-mdsi-year"),
            "mdsi": fact("spravato-mdsi-use"),
            "alone_year": fact("spravato-alone-year"),
            "alone": fact("spravato-alone-use"),
        },
        _(
            "Spravato has a boxed warning, the FDA's strongest, about sedation, "
            "dissociation, slowed breathing, abuse and misuse, and suicidal "
            "thoughts and behaviors in children and young adults."
        ),
        _(
            "Spravato is given only in certified clinics under %(rems)s, with "
            "%(hours)s of monitoring after each dose. It is never sent home."
        )
        % {"rems": fact("spravato-rems"), "hours": fact("spravato-monitoring")},
        _(
            "Ketamine is a %(schedule)s controlled substance in the United States "
            "(since %(year)s)."
        )
        % {"schedule": fact("schedule"), "year": fact("schedule-year")},
    ]


SOURCES = [
    (
        "FDA label: Ketalar (ketamine hydrochloride injection)",
        "https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo=016812",
    ),
    (
        "FDA label: Spravato (esketamine) nasal spray",
        "https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo=211243",
    ),
    (
        "DEA: Schedules of controlled substances, 21 CFR 1308.13",
        "https://www.ecfr.gov/current/title-21/chapter-II/part-1308/section-1308.13",
    ),
]
