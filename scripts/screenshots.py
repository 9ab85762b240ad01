"""Full-page screenshots of the patient's pages: `make screenshots`.

Serves the demo site from a throwaway SQLite database (var/screenshots/) on
127.0.0.1:$SCREENSHOTS_PORT (default 8765), drives the system Chromium at a
phone (390x844) and a laptop (1280x800) size, and writes reduced-palette PNGs
into docs/screenshots/. Look at every one after a change to a page.
"""

import io
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WORK = ROOT / "var" / "screenshots"
PORT = int(os.environ.get("SCREENSHOTS_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
PAGES = [
    ("home", "/"),
    ("learn", "/learn/"),
    ("article-side-effects", "/learn/side-effects-and-safety/"),
    ("article-cost", "/learn/cost-and-insurance/"),
    ("locations", "/locations/"),
    ("location-open", "/locations/oakland/"),
    ("location-coming-soon", "/locations/san-francisco/"),
    ("consultation", "/consultation/"),
]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
# 64 colors keeps text and the brand colors crisp at a fraction of the size.
PALETTE = 64


def _env():
    WORK.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.dev",
        "DATABASE_URL": f"sqlite:///{WORK / 'db.sqlite3'}",
        "PORT": str(PORT),
    }


def _manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the site did not start on {url}")


def _save(page, name):
    png = page.screenshot(full_page=True)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=PALETTE, method=Image.Quantize.MEDIANCUT)
    path = OUT / f"{name}.png"
    image.save(path, optimize=True)
    sys.stdout.write(f"{path.relative_to(ROOT)}  {image.width}x{image.height}\n")


def _shoot(page, size):
    for name, path in PAGES:
        page.goto(BASE + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        _save(page, f"{name}-{size}")
    # The form after an empty submit: the error summary and every message.
    page.goto(BASE + "/consultation/")
    time.sleep(3.2)  # the form refuses answers faster than a person types
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_load_state()
    _save(page, f"consultation-errors-{size}")
    # A valid request, then the thank-you page.
    page.goto(BASE + "/consultation/")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Alder")
    page.get_by_label("Phone number").fill("(510) 555-0187")
    page.get_by_label("Which clinic").select_option("oakland")
    page.get_by_role("checkbox", name="I agree", exact=False).check()
    time.sleep(3.2)  # the form refuses answers faster than a person types
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/consultation/thanks/")
    _save(page, f"thanks-{size}")


def main():
    env = _env()
    (WORK / "db.sqlite3").unlink(missing_ok=True)
    _manage("migrate", "--noinput", "--skip-checks", "-v0", env=env)
    _manage("load_demo_data", "--skip-checks", env=env)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(BASE + "/healthz")
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for size, (width, height) in SIZES.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}
                )
                _shoot(context.new_page(), size)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
