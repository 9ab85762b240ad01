"""The one place the site states ketamine's regulatory status.

Every page that needs these facts renders templates/includes/regulatory_status.html,
which reads this list, so no two pages can disagree. Sources: FDA labels for
Ketalar (NDA 016812) and Spravato (NDA 211243), and 21 CFR 1308.13 (DEA).
"""

from django.utils.translation import gettext_lazy as _

REGULATORY_FACTS = [
    _(
        "Ketamine (sold as Ketalar and as generic versions) was approved by the "
        "US Food and Drug Administration (FDA) in 1970 as an anesthetic, given "
        "into a vein (IV) or a muscle (IM). Using IV ketamine for depression, "
        "pain or other conditions is off-label: legal when a clinician "
        "prescribes it, but not an FDA-approved use."
    ),
    _(
        "Esketamine nasal spray (Spravato) is FDA-approved for adults: in 2019 "
        "for treatment-resistant depression, taken with an oral antidepressant; "
        "in 2020 for depressive symptoms in major depression with acute suicidal "
        "thoughts or behavior, also with an oral antidepressant; and in 2025 on "
        "its own, for treatment-resistant depression only."
    ),
    _(
        "Spravato has a boxed warning, the FDA's strongest, about sedation, "
        "dissociation, slowed breathing, abuse and misuse, and suicidal thoughts "
        "and behaviors in children and young adults."
    ),
    _(
        "Spravato is given only in certified clinics under a safety program "
        "(a REMS), with at least two hours of monitoring after each dose. It is "
        "never sent home."
    ),
    _(
        "Ketamine is a Schedule III controlled substance in the United States "
        "(since 1999)."
    ),
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
