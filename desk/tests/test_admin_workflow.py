"""The workflow through the admin: buttons, permissions, four eyes, concurrency, history."""

import pytest
from django.urls import reverse

from answers.models import Answer, Transition
from citations.models import Citation
from desk.tests.test_admin_answer import change_post

pytestmark = pytest.mark.django_db


def transition_url(answer, action):
    return reverse("admin:answers_answer_transition", args=[answer.pk, action])


def post_step(client, answer, action, comment="Looks right", version=None):
    answer.refresh_from_db()
    return client.post(
        transition_url(answer, action),
        {"comment": comment, "version": version or answer.version},
        follow=True,
    )


@pytest.fixture
def in_review(demo_answer, editor):
    """The demo answer with an edit by the editor, submitted for review."""
    demo_answer.short_answer += " Ask your neurologist."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    demo_answer.transition("submit", editor)
    return demo_answer


def test_editor_and_reviewer_take_an_answer_through_the_workflow(
    client, in_review, editor, reviewer
):
    client.force_login(reviewer)
    response = post_step(client, in_review, "send_back", comment="Name the trial.")
    assert "Send back to the editor: done." in response.content.decode()
    client.force_login(editor)
    page = post_step(client, in_review, "submit").content.decode()
    assert "Submit for review: done." in page and "Status: In review" in page
    client.force_login(reviewer)
    page = post_step(client, in_review, "approve").content.decode()
    assert "Approve and publish: done." in page and "Status: Published" in page
    assert "Ask your neurologist." in client.get(in_review.get_absolute_url()).content.decode()
    page = post_step(client, in_review, "withdraw", comment="Retracted source").content.decode()
    assert "Withdraw from the site: done." in page
    assert client.get(in_review.get_absolute_url()).status_code == 404
    actions = list(in_review.transitions.values_list("action", flat=True))
    assert actions[:5] == ["withdraw", "approve", "submit", "send_back", "submit"]


def test_confirmation_page_asks_for_a_comment(client, in_review, reviewer):
    client.force_login(reviewer)
    page = client.get(transition_url(in_review, "send_back")).content.decode()
    assert "Comment (required)" in page
    assert f'name="version" value="{in_review.version}"' in page


def test_reviewer_sees_why_approve_is_missing_on_own_edit(client, demo_answer, editor, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    client.post(url, change_post(demo_answer, short_answer="Reviewer rewrote this."))
    demo_answer.refresh_from_db()
    demo_answer.transition("submit", editor)
    page = client.get(url).content.decode()
    assert "You changed this answer&#x27;s content" in page
    assert transition_url(demo_answer, "approve") not in page
    response = post_step(client, demo_answer, "approve")
    assert "four eyes" in response.content.decode()
    assert Answer.objects.get(pk=demo_answer.pk).status == Answer.Status.IN_REVIEW


def test_change_form_cannot_set_the_status(client, demo_answer, editor):
    client.force_login(editor)
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    demo_answer.transition("withdraw", demo_answer.live_version.reviewer, comment="x")
    client.post(url, change_post(demo_answer, status="published"))
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.WITHDRAWN
    assert not Answer.objects.published().exists()


def test_reverting_through_the_history_page_is_refused(client, demo_answer, editor):
    client.force_login(editor)
    record = demo_answer.history.earliest("history_date")
    url = reverse("admin:answers_answer_simple_history", args=[demo_answer.pk, record.pk])
    response = client.post(url, change_post(demo_answer))
    assert response.status_code == 403
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.PUBLISHED


def test_transition_log_cannot_be_edited_in_the_admin(client, demo_answer, reviewer):
    client.force_login(reviewer)
    step = Transition.objects.first()
    assert client.get(reverse("admin:answers_transition_changelist")).status_code == 200
    assert client.get(reverse("admin:answers_transition_add")).status_code == 403
    response = client.post(
        reverse("admin:answers_transition_change", args=[step.pk]), {"comment": "rewritten"}
    )
    assert response.status_code == 403
    delete = reverse("admin:answers_transition_delete", args=[step.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Transition.objects.get(pk=step.pk).comment == step.comment


def test_stale_save_is_refused_naming_who_saved_and_keeps_the_input(
    client, demo_answer, editor, reviewer
):
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    erin_form = change_post(demo_answer, short_answer="Erin's wording.")
    robin_form = change_post(demo_answer, short_answer="Robin's wording.")
    client.force_login(editor)
    client.post(url, erin_form)
    client.force_login(reviewer)
    response = client.post(url, robin_form)
    page = response.content.decode()
    assert "Erin Editor saved this answer at" in page and "Nothing of yours was saved" in page
    assert "Robin&#x27;s wording." in page  # still in the form
    demo_answer.refresh_from_db()
    assert demo_answer.short_answer == "Erin's wording."
    # Told what happened, Robin saves again from the form: now it is based on Erin's version.
    robin_again = {**robin_form, "edit_version": demo_answer.version}
    client.post(url, robin_again)
    texts = set(demo_answer.history.values_list("short_answer", flat=True))
    assert {"Erin's wording.", "Robin's wording."} <= texts


def test_stale_transition_through_the_admin_is_refused(client, in_review, editor, reviewer):
    seen = in_review.version
    client.force_login(editor)
    client.post(
        reverse("admin:answers_answer_change", args=[in_review.pk]),
        change_post(in_review, research=in_review.research + " More."),
    )
    client.force_login(reviewer)
    page = post_step(client, in_review, "approve", version=seen).content.decode()
    assert "Erin Editor saved this answer at" in page


def test_timeline_lists_revisions_with_reasons_and_comments(client, in_review, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("admin:answers_answer_timeline", args=[in_review.pk])).content
    page = page.decode()
    assert "Submit for review" in page and "Edited: back to draft" in page
    assert "Live version" in page
    assert "Restore as draft" in page


def test_compare_shows_word_level_changes_and_citations(client, demo_answer, editor):
    client.force_login(editor)
    before = demo_answer.latest_revision()
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    data = change_post(
        demo_answer,
        research=demo_answer.research.replace("five patients", "six patients"),
    )
    data["citations-0-number"] = 2  # citation 1 renumbered to 2
    data["research"] = data["research"].replace("effects [1].", "effects [2].")
    client.post(url, data)
    after = demo_answer.latest_revision()
    assert after.history_id != before.history_id
    compare = reverse("admin:answers_answer_compare", args=[demo_answer.pk])
    page = client.get(compare, {"from": before.history_id, "to": after.history_id})
    html = page.content.decode()
    assert "<del>five</del><ins>six</ins>" in html
    assert "Citation 1 renumbered to 2" in html


def test_restore_through_the_admin_creates_a_draft(client, demo_answer, editor):
    client.force_login(editor)
    original = demo_answer.latest_revision()
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    client.post(url, change_post(demo_answer, short_answer="Shorter."))
    restore = reverse("admin:answers_answer_restore", args=[demo_answer.pk, original.history_id])
    preview = client.get(restore).content.decode()
    assert "<del>Shorter.</del>" in preview and "Nothing is published" in preview
    demo_answer.refresh_from_db()
    page = client.post(restore, {"version": demo_answer.version}, follow=True).content.decode()
    assert "The old revision is now the current draft" in page
    demo_answer.refresh_from_db()
    assert demo_answer.short_answer.startswith("CAR-T cell therapy is a type")
    assert demo_answer.status == Answer.Status.DRAFT


ENDPOINTS = {
    "change": lambda a: reverse("admin:answers_answer_change", args=[a.pk]),
    "timeline": lambda a: reverse("admin:answers_answer_timeline", args=[a.pk]),
    "compare": lambda a: (
        reverse("admin:answers_answer_compare", args=[a.pk])
        + f"?from={a.history.earliest('history_date').pk}&to={a.latest_revision().pk}"
    ),
    "preview": lambda a: a.get_preview_url(),
}

# Who may do what: True allowed, False refused (status/state unchanged).
MATRIX = {
    "editor": {"submit": True, "approve": False, "send_back": False, "withdraw": False},
    "reviewer": {"submit": False, "approve": True, "send_back": True, "withdraw": True},
    "other_staff": {"submit": False, "approve": False, "send_back": False, "withdraw": False},
    "anonymous": {"submit": False, "approve": False, "send_back": False, "withdraw": False},
}


@pytest.fixture
def as_user(request, client):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("action", ["submit", "approve", "send_back", "withdraw"])
def test_permission_matrix_for_workflow_actions(as_user, role, action, demo_answer, editor):
    answer = demo_answer
    if action in ("approve", "send_back"):
        answer.transition("withdraw", answer.live_version.reviewer, comment="prepare")
        answer.transition("submit", editor)
    elif action == "submit":
        answer.transition("withdraw", answer.live_version.reviewer, comment="prepare")
    before = answer.transitions.count()
    client = as_user(role)
    response = post_step(client, answer, action, comment="because")
    done = answer.transitions.count() == before + 1
    assert done is MATRIX[role][action]
    if role == "anonymous":
        assert "/admin/login/" in response.redirect_chain[0][0]
    elif role == "other_staff":
        assert response.status_code == 403


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(
    "role, allowed",
    [("editor", True), ("reviewer", True), ("other_staff", False), ("anonymous", False)],
)
def test_permission_matrix_for_pages(client, as_user, demo_answer, endpoint, role, allowed):
    url = ENDPOINTS[endpoint](demo_answer)
    response = as_user(role).get(url)
    if allowed:
        assert response.status_code == 200
    elif endpoint == "preview":
        assert response.status_code == 404
    elif role == "anonymous":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "role, allowed",
    [("editor", True), ("reviewer", True), ("other_staff", False), ("anonymous", False)],
)
def test_permission_matrix_for_restore(as_user, demo_answer, role, allowed):
    record = demo_answer.history.earliest("history_date")
    url = reverse("admin:answers_answer_restore", args=[demo_answer.pk, record.history_id])
    as_user(role).post(url, {"version": demo_answer.version})
    demo_answer.refresh_from_db()
    assert (demo_answer.status == Answer.Status.DRAFT) is allowed


def test_citations_inline_changes_are_recorded_on_the_revision(client, demo_answer, editor):
    client.force_login(editor)
    data = change_post(demo_answer)
    data["citations-1-locator"] = "p. 2036"
    client.post(reverse("admin:answers_answer_change", args=[demo_answer.pk]), data)
    snapshot = demo_answer.latest_revision().citations_snapshot
    assert {"number": 9, "source": Citation.objects.get(number=9).source_id,
            "locator": "p. 2036"} in snapshot  # fmt: skip


def test_saving_unchanged_text_from_a_browser_keeps_the_answer_published(
    client, demo_answer, editor
):
    client.force_login(editor)
    data = change_post(demo_answer)
    for field in ("short_answer", "research", "doctor_questions"):
        data[field] = data[field].replace("\n", "\r\n")  # as browsers submit textareas
    client.post(reverse("admin:answers_answer_change", args=[demo_answer.pk]), data)
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.PUBLISHED
    assert not demo_answer.differs_from_live()


@pytest.mark.parametrize("comment", ["", "   \n  "])
def test_withdraw_needs_a_comment_even_if_the_browser_check_is_bypassed(
    client, demo_answer, reviewer, comment
):
    client.force_login(reviewer)
    page = post_step(client, demo_answer, "withdraw", comment=comment).content.decode()
    assert "Say why the answer leaves the site" in page
    demo_answer.refresh_from_db()
    assert demo_answer.is_published


def test_unprintable_comment_gets_a_message_and_is_kept(client, in_review, second_reviewer):
    client.force_login(second_reviewer)
    response = post_step(client, in_review, "approve", comment="Checked\x00 the dose.")
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be shown on a page (U+0000)" in page
    assert "Checked" in page and "the dose." in page  # the comment is still in the form
    in_review.refresh_from_db()
    assert in_review.status == Answer.Status.IN_REVIEW


@pytest.mark.parametrize("version", ["", "abc", "1.5", "-"])
def test_a_broken_version_gets_a_message_not_an_error(client, in_review, reviewer, version):
    client.force_login(reviewer)
    urls = [
        transition_url(in_review, "send_back"),
        reverse("admin:answers_answer_renumber", args=[in_review.pk]),
        reverse(
            "admin:answers_answer_restore",
            args=[in_review.pk, in_review.history.earliest("history_date").history_id],
        ),
    ]
    before = in_review.version
    for url in urls:
        response = client.post(url, {"comment": "Fix it", "version": version}, follow=True)
        assert response.status_code == 200, url
        assert "did not say which version of the answer it showed" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.version == before and in_review.status == Answer.Status.IN_REVIEW
