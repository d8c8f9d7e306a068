"""The accessibility audit: axe-core (WCAG 2.1 A and AA) in Debian's Chromium on every staff page as
frontline, manager and admin and on every public page, in English and Dutch, at 1,366 px and on a
390 px phone. Besides axe: touch targets on the phone (44x44 px on public pages, 24x24 px on staff
pages) and no sideways scroll, with long-text fixtures (a 3,000-character unbroken rule description,
a long URL in a summary). A page with a serious or critical violation, a too-small target or sideways
scroll fails the test. Screenshots go to test-artifacts/pages/<lang>-<width>/, and the figures of
each run to test-artifacts/pages/audit-<who>-<lang>-<width>.json (docs/web.md has the summary).
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import AdminFactory, ManagerFactory, TeamFactory, UserFactory
from interactions import links
from interactions.customer_mail import customer_unsubscribe_token
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import Rule
from recovery.services import bends, steps
from recovery.services import links as case_links
from tests.browser import chromium_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "pages"
WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
FAILING_IMPACTS = {"serious", "critical"}
LONG_WORD = "Nonrefundable" * 231  # 3,003 characters without a break
LONG_URL = "https://example.com/" + "/".join(f"section-{n}-of-the-very-long-address" for n in range(40))

# What a person taps: links, buttons, fields; a box or radio counts with its label (the label is the target).
TARGETS_JS = """(minimum) => {
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) target = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    if (seen.has(target)) continue;
    seen.add(target);
    const style = getComputedStyle(target);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = target.getBoundingClientRect();
    if ((r.width <= 1 && r.height <= 1) || r.right <= 0 || r.bottom <= 0) continue;  // hidden, or off screen (the skip link until focused)
    if (target.closest('[hidden], details:not([open]) > :not(summary)')) continue;
    // WCAG 2.5.8's inline exception: a link inside a sentence is sized by the text around it.
    if (target.tagName === 'A' && style.display === 'inline') {
      const parent = target.parentElement;
      const text = Array.from(parent.childNodes).some(n => n.nodeType === 3 && n.textContent.trim().length > 0);
      if (text) continue;
    }
    if (r.width < minimum || r.height < minimum) {
      small.push(`${target.tagName.toLowerCase()} "${(target.innerText || target.value || target.getAttribute('aria-label') || '').trim().slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""


# The top bar's rows: the brand, the bell, each navigation item and the logout, by their vertical middle.
BAR_ROWS_JS = """() => new Set(Array.from(document.querySelectorAll(
  '.topbar > .brand, .topbar > .bell, .site-menu nav > a, .site-menu nav > details > summary, .site-menu > .logout'))
  .map(e => { const r = e.getBoundingClientRect(); return Math.round((r.top + r.height / 2) / 12); })).size"""


@pytest.fixture(scope="module")
def browser():
    yield from chromium_session()


@pytest.fixture
def site(db):
    """Two teams in different time zones, each page's objects made by the real services, long text included."""
    team = TeamFactory(name="Harbour Bistro", timezone="Europe/Amsterdam")
    other = TeamFactory(name="Northwind Support", timezone="America/New_York")
    frontline = UserFactory(username="sam", teams=[team])
    manager = ManagerFactory(username="maria", teams=[team], approval_limit=500)
    admin = AdminFactory(username="ada")
    UserFactory(username="leo", teams=[other])
    customer = CustomerFactory(team=team, name="Anna de Vries", email="anna@example.com")
    CustomerFactory(team=team, name="Bram Bakker", email="bram@example.com")
    GestureFactory(team=team, name="Free dessert", base_level=5)
    gesture = GestureFactory(team=team, name="Chef's table", base_level=6)
    rule = Rule.objects.create(team=team, name="No table changes after 18:00", description=LONG_WORD)
    interaction = interaction_log(actor=frontline, customer=customer, channel="phone", promise_kept=False,
                                  summary=f"The booking page {LONG_URL} gave the table away")
    case = interaction.recovery_case
    closed = interaction_log(actor=frontline, customer=customer, channel="email", promise_kept=False).recovery_case
    steps.case_fix(actor=frontline, case=closed, note="Rebooked")
    closed = steps.case_close(actor=manager, case=closed, reason="Moved away")
    bends.bend_request(actor=frontline, rule=rule, customer=customer, justification=f"Loyal guest, see {LONG_URL}", cost="25")
    interaction_log(actor=frontline, customer=customer, channel="in_person", promise_kept=True)
    inbox_item = _inbox_item(team)
    webhook = _webhook(team, manager)
    return {
        "team": team, "users": {"frontline": frontline, "manager": manager, "admin": admin},
        "customer": customer, "gesture": gesture, "interaction": interaction, "case": case,
        "inbox_item": inbox_item, "webhook": webhook,
        "feedback": links.link_token(purpose="feedback", nonce=interaction.feedback_nonce),
        "status": links.link_token(purpose=case_links.STATUS, nonce=case.status_nonce),
        "recovered": case_links.recovered_token(closed),
        "unsubscribe": customer_unsubscribe_token(customer),
    }


def _inbox_item(team):
    from email.message import EmailMessage

    from inbox.services import inbox_receive

    team.inbox_address = "bistro@inbox.example"
    team.save(update_fields=["inbox_address"])
    message = EmailMessage()
    message["From"] = "Anna de Vries <anna@example.com>"
    message["To"] = team.inbox_address
    message["Subject"] = "My booking"
    message["Message-ID"] = "<audit-1@example.org>"
    message.set_content(f"Hello, about {LONG_URL}: {LONG_WORD[:400]}")
    [stored] = inbox_receive(raw=message.as_bytes(), source="imap")
    return stored.item


def _webhook(team, manager):
    from webhooks import services as webhook_services
    from webhooks.models import WebhookSubscription

    webhook = WebhookSubscription.objects.create(
        team=team, url="https://hooks.example.com/cx", events=["case.opened"],
        secret=webhook_services._secret_new(), created_by=manager,
    )
    webhook_services.subscription_ping(actor=manager, subscription=webhook)
    return webhook


def staff_pages(site, who):
    """Every staff page this person may open (name, path)."""
    team, customer = site["team"].pk, site["customer"].pk
    pages = [
        ("dashboard", "/"), ("log", "/log/"), ("customers", "/customers/?q=Anna"),
        ("customer", f"/customers/{customer}/"), ("cases", "/cases/"), ("my-cases", "/cases/?owner=me"),
        ("case", f"/cases/{site['case'].pk}/"), ("notifications", "/notifications/"), ("bends", "/bends/"),
        ("bend-request", f"/bends/new/?customer={customer}"), ("rules", "/rules/"), ("gestures", "/gestures/"),
        ("inbox", "/inbox/"), ("inbox-item", f"/inbox/{site['inbox_item'].pk}/"), ("profile", "/profile/"),
        ("ideas", "/ideas/"), ("people", "/radar/people/"), ("not-found", "/no-such-page/"),
    ]
    if who == "frontline":
        pages += [("interaction-edit", f"/interactions/{site['interaction'].pk}/edit/"), ("forbidden", "/jobs/")]
    else:
        pages += [
            ("rule-new", "/rules/new/"), ("gesture-new", "/gestures/new/"),
            ("gesture-edit", f"/gestures/{site['gesture'].pk}/edit/"), ("teams", "/teams/"),
            ("team-settings", f"/teams/{team}/settings/"), ("jobs", "/jobs/"), ("radar", "/radar/"),
            ("weekly", f"/reports/weekly/?team={team}"), ("webhooks", f"/teams/{team}/webhooks/"),
            ("webhook", f"/teams/{team}/webhooks/{site['webhook'].pk}/"), ("import", f"/teams/{team}/import/"),
        ]
    return pages


def public_pages(site):
    return [
        ("login", "/accounts/login/"), ("password-reset", "/accounts/password-reset/"),
        ("feedback", f"/feedback/{site['feedback']}/"), ("feedback-unknown", "/feedback/no-such-link/"),
        ("status", f"/status/{site['status']}/"), ("recovered", f"/feedback/recovered/{site['recovered']}/"),
        ("unsubscribe", f"/unsubscribe/{site['unsubscribe']}/"),
    ]


def audit(browser, live_server, *, pages, who, lang, width, user=None):
    """Run every check on every page; returns the findings by page (written to a JSON file too)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    locale = "nl-NL" if lang == "nl" else "en-GB"
    context = browser.new_context(viewport=WIDTHS[width], locale=locale, is_mobile=width < 600, has_touch=width < 600)
    context.set_default_timeout(15_000)
    if user is not None:
        user.language = lang
        user.save(update_fields=["language"])
        client = Client()
        client.force_login(user)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "domain": host, "path": "/"}])
    folder = ARTIFACTS / f"{lang}-{width}"
    folder.mkdir(parents=True, exist_ok=True)
    minimum = 24 if user is not None else 44
    findings = {}
    page = context.new_page()
    try:
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
                                             "resultTypes": ["violations"]})
            violations = [
                {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                 "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]}
                for v in results.response["violations"]
            ]
            small = page.evaluate(TARGETS_JS, minimum) if width < 600 else []
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            findings[name] = {"path": path, "violations": violations, "small_targets": small, "overflow_px": overflow,
                              "bar_rows": page.evaluate(BAR_ROWS_JS) if width > 600 else 0}
            page.screenshot(path=str(folder / f"{who}-{name}.png"), full_page=True)
    finally:
        context.close()
    (ARTIFACTS / f"audit-{who}-{lang}-{width}.json").write_text(json.dumps(findings, indent=1))
    return findings


def failures(findings):
    bad = {}
    for name, f in findings.items():
        serious = [f"{v['id']} ({v['impact']}, {v['nodes']}): {v['targets']}" for v in f["violations"] if v["impact"] in FAILING_IMPACTS]
        problems = serious + [f"small target {s}" for s in f["small_targets"][:5]]
        if f["small_targets"]:
            problems.append(f"{len(f['small_targets'])} small targets")
        if f["overflow_px"] > 0:
            problems.append(f"scrolls sideways by {f['overflow_px']} px")
        if f.get("bar_rows", 0) > 1:
            problems.append(f"the top bar takes {f['bar_rows']} rows")
        if problems:
            bad[name] = problems
    return bad


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("who", ["frontline", "manager", "admin"])
def test_staff_pages_pass_the_audit(browser, live_server, site, who, lang, width):
    findings = audit(browser, live_server, pages=staff_pages(site, who), who=who, lang=lang, width=width, user=site["users"][who])
    assert len(findings) >= 20
    assert failures(findings) == {}


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_public_pages_pass_the_audit(browser, live_server, site, lang, width):
    site["customer"].language = lang
    site["customer"].save(update_fields=["language"])
    findings = audit(browser, live_server, pages=public_pages(site), who="public", lang=lang, width=width)
    assert failures(findings) == {}


def test_the_audit_sees_a_violation_a_small_target_and_sideways_scroll(browser, live_server, site):
    """The checks can fail: a page made worse on purpose trips each of them."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=WIDTHS[390], is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.evaluate("""() => {
          document.querySelector('label[for=id_username]').remove();
          const a = document.createElement('a'); a.href = '#'; a.textContent = 'x'; a.style.cssText = 'display:block;width:10px;height:10px;min-width:0;min-height:0;overflow:hidden';
          document.querySelector('main').append(a);
          const wide = document.createElement('div'); wide.style.width = '2000px'; wide.textContent = 'wide';
          document.querySelector('main').append(wide);
        }""")
        ids = {v["id"] for v in Axe().run(page).response["violations"]}
        small = page.evaluate(TARGETS_JS, 44)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    finally:
        context.close()
    assert "label" in ids
    assert any(s.startswith('a "x"') for s in small)
    assert overflow > 0
