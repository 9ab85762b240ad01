"""A Spanish-speaking patient's journey, in Chromium: home, an article, a
clinic, the form (with a mistake) and the thank-you page, then the email."""

import re

import pytest
from django.core import mail
from mailer import engine
from playwright.sync_api import expect

from consultations.models import REFERENCE_ALPHABET, ConsultationRequest
from tests.a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
REFERENCE = re.compile(f"[{REFERENCE_ALPHABET}]{{8}}")


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    # The live server runs in this process, so this reaches it; the real
    # 3-second rule is covered by the unit tests.
    monkeypatch.setattr("core.protection.MIN_FILL_SECONDS", 0)


def no_english_chrome(page):
    """The header, crisis strip and footer of a Spanish page are Spanish."""
    for name in ("Principal", "Pie de página"):
        expect(page.get_by_role("navigation", name=name)).to_be_visible()
    strip = page.get_by_role("complementary", name="Ayuda en una crisis")
    expect(strip).to_contain_text("marque el 2 para español")
    expect(strip).to_contain_text("AYUDA")
    for english in ("In crisis?", "Request a free consultation", "Skip to main"):
        assert english not in page.content(), english


def test_a_spanish_speaker_completes_the_journey_and_gets_a_spanish_email(
    page, live_url
):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ketamina")
    no_english_chrome(page)

    # An article, from the hub.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Aprenda"
    ).click()
    expect(page).to_have_url(live_url + "/es/learn/")
    page.get_by_role("link", name="¿Qué es la ketamina?").first.click()
    expect(page).to_have_url(live_url + "/es/learn/what-is-ketamine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Qué es la ketamina?")
    expect(page.get_by_text("Revisado por Lucía Ortega Villalobos")).to_be_visible()
    expect(page.get_by_role("heading", name="Situación regulatoria")).to_be_visible()
    no_english_chrome(page)

    # A clinic.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Clínicas"
    ).click()
    expect(page).to_have_url(live_url + "/es/locations/")
    page.get_by_role("link", name=re.compile("Oakland")).first.click()
    expect(page).to_have_url(live_url + "/es/locations/oakland/")
    expect(page.get_by_role("heading", name="Horario").first).to_be_visible()
    expect(page.get_by_text(re.compile("Abierto ahora|Cerrado ahora"))).to_be_visible()
    no_english_chrome(page)

    # The form, first with a mistake.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Pida una consulta gratuita"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pida una consulta telefónica gratuita"
    )
    page.get_by_label("Nombre").fill("Marisol")
    page.get_by_label("Número de teléfono").fill("(510) 555-0142")
    page.get_by_label("Correo electrónico (opcional)").fill("marisol@patient.example")
    page.get_by_label("¿A qué clínica le gustaría ir?").select_option("oakland")
    page.get_by_role("checkbox", name=re.compile("^Acepto")).check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Enviar mi solicitud").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Por favor, revise sus respuestas")
    expect(page).to_have_title(re.compile("^Hay un problema"))
    summary.get_by_role("link", name="Escriba su apellido.").click()
    expect(page.get_by_label("Apellido")).to_be_focused()
    expect(page.get_by_label("Nombre")).to_have_value("Marisol")
    assert ConsultationRequest.objects.count() == 0

    page.get_by_label("Apellido").fill("Reyes")
    page.get_by_label(
        "Envíenme por correo una copia de mi número de referencia"
    ).check()
    page.get_by_role("checkbox", name=re.compile("^Acepto")).check()
    page.get_by_role("button", name="Enviar mi solicitud").click()

    expect(page).to_have_url(live_url + "/es/consultation/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gracias. Recibimos su solicitud."
    )
    reference = page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    expect(
        page.get_by_role("heading", name="Cuándo esperar nuestra llamada")
    ).to_be_visible()
    expect(page.get_by_text("hora del Pacífico").first).to_be_visible()
    no_english_chrome(page)
    consultation = ConsultationRequest.objects.get()
    assert consultation.reference == reference and consultation.language == "es"

    # The acknowledgement, in Spanish, with the Spanish crisis options.
    engine.send_all()
    (email,) = [m for m in mail.outbox if m.to == ["marisol@patient.example"]]
    assert email.subject.startswith(f"Recibimos su solicitud ({reference})")
    assert email.extra_headers["Content-Language"] == "es"
    assert "Gracias por pedir a" in email.body
    assert "llame al 988 y marque el 2 para español" in email.body
    assert "AYUDA al 741741" in email.body
    assert "What happens next" not in email.body


@pytest.mark.parametrize(
    "path",
    ["/es/", "/es/learn/what-is-ketamine/", "/es/consultation/"],
    ids=["home", "article", "form"],
)
def test_spanish_pages_have_no_axe_violations(page, live_url, path):
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        page.set_viewport_size(viewport)
        page.goto(live_url + path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        assert axe_violations(page) == [], (path, viewport)


def test_the_spanish_form_with_errors_has_no_axe_violations(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(live_url + "/es/consultation/")
    page.get_by_role("button", name="Enviar mi solicitud").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert axe_violations(page) == []
