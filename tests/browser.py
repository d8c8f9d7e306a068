"""Debian's Chromium driven by Playwright, for every app's browser tests: one place for the binary,
its flags (this machine has no network but loopback) and the thread it runs in."""

import os
import threading

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_session():
    """The body of a module's `browser` fixture: Chromium launched for the module's tests. Playwright's
    sync API runs an event loop in this thread while the test's ORM calls stay synchronous, so
    DJANGO_ALLOW_ASYNC_UNSAFE is set only while the browser runs (subprocesses of other tests, the
    deploy checks, never inherit it)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def sign_in(page, base_url: str, user, *, then: str = "") -> None:
    """Sign in through the login page as `user` (with the factories' password), as a person would;
    `then` is where the login page sends them afterwards (its `next`), else the dashboard."""
    from urllib.parse import quote

    from django.urls import reverse

    from accounts.tests.factories import PASSWORD

    page.goto(f"{base_url}{reverse('login')}" + (f"?next={quote(then)}" if then else ""))
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"], input[type="submit"]')
    page.wait_for_load_state()


def in_browser_thread(steps, *, viewport: dict, **context_options) -> dict:
    """Run `steps(page, seen)` in a fresh browser context in a thread of its own (Playwright's event
    loop never meets the test's ORM calls); returns what the steps put in `seen`, re-raising errors."""
    from playwright.sync_api import sync_playwright

    seen: dict = {}

    def run():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                try:
                    context = browser.new_context(viewport=viewport, **context_options)
                    steps(context.new_page(), seen)
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            seen["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in seen:
        raise seen["error"]
    return seen
