"""Simulated patients: open the consultation form, fill it in, send it."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness import AREA_CODES, Browser, fictional_phone, find_form, hidden_fields

FORM_PATH = "/consultation/"


def e164(n: int) -> str:
    area = AREA_CODES[(n // 100) % len(AREA_CODES)]
    return f"+1{area}55501{n % 100:02d}"


def patient_values(n: int, location: str, *, email=True, tag="Drill") -> dict:
    values = {
        "first_name": f"{tag}{n}",
        "last_name": "Patient",
        "phone": fictional_phone(n),
        "location": location,
        "preferred_contact": "phone",
        "language": "en",
        "call_times": ["morning"],
        "consent": "on",
    }
    if email:
        values["email"] = f"drill-{n}@example.org"
    return values


@dataclass
class Submission:
    n: int
    phone: str
    get_status: int = 0
    post_status: int = 0
    post_seconds: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    location: str = ""
    body: str = ""
    error: str = ""

    @property
    def acknowledged(self):
        return self.post_status == 303


class Patients:
    """Sends form submissions from ``concurrency`` browsers."""

    def __init__(self, stack, *, concurrency=4, keep_body=False):
        self.stack = stack
        self.concurrency = concurrency
        self.keep_body = keep_body
        self._local = threading.local()
        self._locations = None

    def browser(self):
        if not hasattr(self._local, "browser"):
            self._local.browser = Browser()
        return self._local.browser

    def open_locations(self):
        if self._locations is None:
            page = Browser().get(FORM_PATH)
            form = find_form(page.text, "location")
            self._locations = [v for v in form["options"]["location"] if v]
        return self._locations

    def submit(self, n, values=None) -> Submission:
        browser = self.browser()
        result = Submission(n=n, phone=e164(n), started=time.time())
        values = values or patient_values(n, random.choice(self.open_locations()))
        page = browser.get(FORM_PATH)
        result.get_status = page.status
        if page.status != 200:
            result.error = page.error or f"form page answered {page.status}"
            result.body = page.text
            result.finished = time.time()
            return result
        fields = hidden_fields(find_form(page.text, "first_name"))
        # As if the patient had spent ten seconds on the form: the real
        # minimum-fill-time check still runs, the drill just does not wait.
        fields["form_token"] = self.stack.mint_form_token(age=10)
        fields.update(values)
        post = browser.post(FORM_PATH, fields)
        result.post_status = post.status
        result.post_seconds = post.elapsed
        result.location = post.headers.get("location", "")
        result.error = post.error
        if self.keep_body or post.status not in (303,):
            result.body = post.text
        result.finished = time.time()
        return result

    def run(self, numbers, *, pace=None):
        """Submit one form per number; ``pace`` caps submissions per second."""
        numbers = list(numbers)
        interval = 1 / pace if pace else 0

        def one(i_n):
            i, n = i_n
            if interval:
                # Spread starts evenly so the load is steady, not bursty.
                delay = start + i * interval - time.time()
                if delay > 0:
                    time.sleep(delay)
            return self.submit(n)

        start = time.time()
        with ThreadPoolExecutor(self.concurrency) as pool:
            return list(pool.map(one, enumerate(numbers)))
