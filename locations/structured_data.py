"""schema.org JSON-LD for a location page (rendered with the |jsonld filter)."""

import datetime as dt

from core.i18n import language_codes

from .models import Location

SCHEMA_DAYS = [
    "https://schema.org/Monday",
    "https://schema.org/Tuesday",
    "https://schema.org/Wednesday",
    "https://schema.org/Thursday",
    "https://schema.org/Friday",
    "https://schema.org/Saturday",
    "https://schema.org/Sunday",
]


def medical_clinic(location: Location, *, url: str, brand_name: str, today: dt.date):
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": f"{brand_name} {location.name}".strip(),
        "url": url,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.street_address,
            "addressLocality": location.city,
            "addressRegion": location.state,
            "postalCode": location.postal_code,
            "addressCountry": "US",
        },
        "email": location.email,
        # Every clinic takes requests and calls patients in each site language.
        "knowsLanguage": language_codes(),
    }
    if location.phone:
        data["telephone"] = location.phone.as_e164
    if location.latitude is not None and location.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
        }
    if brand_name:
        data["parentOrganization"] = {
            "@type": "MedicalOrganization",
            "name": brand_name,
        }
    # Hours are only a promise while the location is open.
    if location.status == Location.Status.OPEN:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": SCHEMA_DAYS[day],
                "opens": f"{opens:%H:%M}",
                "closes": f"{closes:%H:%M}",
            }
            for day, intervals in location.weekly_hours()
            for opens, closes in intervals
        ]
        closures = location.upcoming_closures(today)
        if closures:
            # schema.org marks a closed day as opening and closing at midnight.
            data["specialOpeningHoursSpecification"] = [
                {
                    "@type": "OpeningHoursSpecification",
                    "validFrom": closure.date.isoformat(),
                    "validThrough": closure.date.isoformat(),
                    "opens": "00:00",
                    "closes": "00:00",
                }
                for closure in closures
            ]
    return data
