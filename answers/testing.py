"""What every app's tests share besides fixtures (like healthchecks' `hc/test.py`): the named
users' password and how they are made, the workflow shortcuts that publish an answer, and the
Chromium the browser tests drive. `from answers.testing import publish`.

The fixtures built on them (`editor`, `reviewer`, `demo_answer`, `page`, ...) stay in the
root conftest.py, which only pytest imports. Models are imported when called: the conftest
imports this module before Django is set up.
"""

PASSWORD = "correct-horse-battery"

# Debian's Chromium: Playwright's own browsers cannot be downloaded here. The flags are
# shared with Lighthouse, which starts its own Chromium.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def staff_user(user_model, username, first_name, last_name, group=None):
    """A staff account signing in with PASSWORD, in `group` (a role) if given."""
    from django.contrib.auth.models import Group

    user = user_model.objects.create_user(
        username,
        email=f"{username}@qasite.example",
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
    )
    if group:
        from answers.roles import create_roles

        create_roles()  # browser tests flush the tables the data migration filled
        user.groups.add(Group.objects.get(name=group))
    return user


def with_writer(answer, editor):
    """Name `editor`'s profile as the answer's writer, if it has none (the JAMA gate)."""
    from answers.models import Authorship

    if not answer.authorships.exists():
        Authorship.objects.create(answer=answer, contributor=editor.contributor_profile)
    return answer


def committed():
    """Run what waits for the commit (the page cache hearing of a publication, mail) at the
    end of the block, as if the test's transaction had committed there: until it does, the
    page cache serves and keeps nothing for the thread that changed pages."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def publish(answer, editor, reviewer, comment=""):
    """Submit as `editor`, approve as `reviewer`: the only way an answer reaches patients."""
    with_writer(answer, editor)
    with committed():
        answer.transition("submit", editor)
        answer.transition("approve", reviewer, comment=comment)
    return answer


# In Chromium (the `page` fixture, tests marked `browser`).


def sign_in(page, live_server, user):
    """Sign `user` (one of the named users, password PASSWORD) in to the admin."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(user.first_name)


def sign_in_as(browser, live_server, username):
    """A browser context of its own, signed in with the README's demo password."""
    from django.test import override_settings
    from playwright.sync_api import expect

    from answers.management.commands.create_demo_accounts import DEMO_ACCOUNTS

    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_ACCOUNTS[username]["password"])
    with override_settings(DEBUG=True):  # as under `make run`: demo passwords need DEBUG=1
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text(DEMO_ACCOUNTS[username]["first_name"])
    return page


def pick_autocomplete(page, select_id, term, choice):
    """Choose `choice` in the admin's autocomplete (select2) `select_id`, typing `term`."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-search__field", term)
    page.click(f".select2-results__option:has-text('{choice}')")


def translated_disclaimer(original, language="es"):
    """The translation into `language` of the disclaimer `original` (an answer) shows, made
    if missing: an answer is translated only once its disclaimer is."""
    from answers.models import Disclaimer

    shown = original.effective_disclaimer()
    existing = shown.in_language(language)
    if existing is not None:
        return existing
    return Disclaimer.objects.create(
        title=f"{shown.title} ({language})",
        body="Esta pregunta procede de preguntas habituales de los pacientes sobre {topic} y se "
        "responde a partir de investigaciones médicas citadas. No ofrecemos asesoramiento "
        "individualizado.",
        language=language,
        translation_of=shown,
        is_default=shown.is_default,
    )
