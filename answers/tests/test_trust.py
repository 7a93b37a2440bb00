"""Trust on the page (issue 10): who wrote and reviewed it and their conflicts of interest,
when it was published, reviewed and updated, the site's policies, and the JAMA gate."""

import datetime
import json
import re

import pytest
from django.core.management import call_command

from answers.models import Answer, Authorship, ContributorProfile, PublishedVersion, SitePolicy
from answers.workflow import TransitionError

pytestmark = pytest.mark.django_db


def approve_edit(answer, editor, reviewer, update_note="", **changes):
    for name, value in changes.items():
        setattr(answer, name, value)
    answer.save()
    answer.record_edit(editor)
    answer.transition("submit", editor)
    return answer.approve(reviewer, update_note=update_note)


def test_the_page_names_its_writer_and_reviewer_with_their_disclosures(client, demo_answer):
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    byline = re.search(r'<p class="byline">(.*?)</p>', page, re.S).group(1)
    assert " ".join(byline.split()) == (
        "Written by Erin Editor, MPH · Medically reviewed by Dr Robin Reviewer, MD, PhD"
    )
    disclosures = re.search(r'<details class="disclosures">(.*?)</details>', page, re.S).group(1)
    assert "Medical writer" in disclosures and "Consultant neurologist" in disclosures
    assert disclosures.count("Conflicts of interest: None declared") == 2


def test_the_page_shows_first_published_last_reviewed_and_next_review(client, demo_answer):
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    today = datetime.date.today()
    for label in ("First published", "Last reviewed"):
        assert f'<dt>{label}</dt><dd><time datetime="{today:%Y-%m-%d}">' in page
    assert f'<dt>Next review due</dt><dd><time datetime="{today.year + 1}-' in page


def test_a_reapproval_with_a_note_shows_it_on_the_page_and_in_the_feed(
    client, demo_answer, editor, second_reviewer
):
    first = demo_answer.live_version
    PublishedVersion.objects.filter(pk=first.pk).update(
        reviewed_on=datetime.date(2026, 3, 3), first_published_on=datetime.date(2026, 3, 3)
    )
    approve_edit(
        demo_answer, editor, second_reviewer,
        update_note="Added the 2026 trial results.", short_answer="A newer short answer.",
    )  # fmt: skip
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    assert '<dt>First published</dt><dd><time datetime="2026-03-03">3 March 2026' in page
    today = datetime.date.today()
    assert (
        f'<li><time datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>: '
        "Added the 2026 trial results.</li>"
    ) in page
    approve_edit(
        demo_answer, editor, second_reviewer,
        update_note="Clarified the risks.", short_answer="The newest short answer.",
    )  # fmt: skip
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    notes = re.findall(r"</time>: ([^<]+)</li>", page)
    assert notes == ["Clarified the risks.", "Added the 2026 trial results."]  # newest first
    feed = client.get("/feed/").content.decode()
    assert f"Updated {today.day} {today:%B %Y}: Clarified the risks." in feed


def test_the_footer_links_the_sites_policies_which_editors_keep_with_history(
    client, demo_answer, editor
):
    home = client.get("/").content.decode()
    for kind in ("ownership", "editorial", "conflicts"):
        assert f'href="/policies/{kind}/"' in home
        assert client.get(f"/policies/{kind}/").status_code == 200
    policy = SitePolicy.objects.get(kind="ownership")
    revisions = policy.history.count()
    policy.body = "qasite is funded by the Demo Foundation."
    policy._history_user = editor
    policy.save()
    assert "Demo Foundation" in client.get("/policies/ownership/").content.decode()
    assert policy.history.count() == revisions + 1
    assert client.get("/policies/nothing/").status_code == 404


def test_json_ld_names_the_authors_publisher_and_dates(client, demo_answer):
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["author"][0]["name"] == "Erin Editor"
    assert data["dateModified"] == datetime.date.today().isoformat()
    assert data["publisher"]["@type"] == "Organization"


# The JAMA gate: approval refused, with a message naming what is missing.


@pytest.fixture
def in_review(demo_answer, editor):
    demo_answer.short_answer = "A change to review."
    demo_answer.save()
    demo_answer.record_edit(editor)
    demo_answer.transition("submit", editor)
    return demo_answer


def refusal(answer, reviewer):
    with pytest.raises(TransitionError) as refused:
        answer.approve(reviewer)
    assert answer.live_version.short_answer != "A change to review."  # nothing published
    return " ".join(refused.value.messages)


def test_approval_is_refused_without_an_author(in_review, editor, second_reviewer):
    in_review.authorships.all().delete()
    in_review.record_edit(editor)  # back to draft: the content changed
    in_review.submit(editor)
    assert "without an author" in refusal(in_review, second_reviewer)


@pytest.mark.parametrize(
    "field, message",
    [
        ("credentials", "the credentials of the author Erin Editor"),
        ("disclosures", "a conflicts-of-interest statement for Erin Editor"),
    ],
)
def test_approval_is_refused_without_the_authors(field, message, in_review, editor, reviewer):
    ContributorProfile.objects.filter(user=editor).update(**{field: "  "})
    in_review.record_edit(editor)  # the profile is the answer's content: submit again
    in_review.submit(editor)
    assert message in refusal(in_review, reviewer)


@pytest.mark.parametrize(
    "field, message",
    [
        ("credentials", "the reviewer's credentials"),
        ("disclosures", "the reviewer's conflicts-of-interest statement"),
    ],
)
def test_approval_is_refused_without_the_reviewers(field, message, in_review, reviewer):
    ContributorProfile.objects.filter(user=reviewer).update(**{field: ""})
    reviewer.refresh_from_db()
    assert message in refusal(in_review, reviewer)


def test_approval_is_refused_without_a_reference(in_review, editor, reviewer):
    in_review.research = "No markers any more. [no citation needed]"
    in_review.save()
    in_review.citations.all().delete()
    in_review.record_edit(editor)
    in_review.submit(editor)
    assert "at least one reference" in refusal(in_review, reviewer)


def test_a_reviewer_who_changed_the_authors_cannot_approve(
    in_review, editor, reviewer, second_reviewer
):
    other = ContributorProfile.objects.create(
        display_name="Ada Writer", credentials="PhD", disclosures="None declared"
    )
    authorship = Authorship(answer=in_review, contributor=other, order=2)
    authorship._history_user = reviewer
    authorship.save()
    in_review.record_edit(reviewer)
    assert in_review.status == in_review.Status.IN_REVIEW  # a reviewer's edit stays in review
    assert "four eyes" in refusal(in_review, reviewer).lower()
    in_review.approve(second_reviewer)
    assert [a["display_name"] for a in in_review.live_version.authors] == [
        "Erin Editor",
        "Ada Writer",
    ]


def test_check_jama_reports_every_published_answer(demo_answer, capsys):
    call_command("check_jama")
    assert "1 of 1 published answers meet all four JAMA benchmarks (100 %)" in (
        capsys.readouterr().out
    )
    PublishedVersion.objects.update(reviewer_disclosures="", authors=[])
    with pytest.raises(SystemExit) as failed:
        call_command("check_jama")
    assert failed.value.code == 1
    out = capsys.readouterr().out
    assert "authorship: missing an author" in out
    assert "disclosure: missing the reviewer's conflicts-of-interest statement" in out
    assert "0 of 1 published answers" in out
    assert Answer.objects.published().count() == 1


# The audit record of each approval.


def test_the_audit_page_shows_exactly_what_was_approved(client, demo_answer, reviewer):
    client.force_login(reviewer)
    version = demo_answer.live_version
    page = client.get(f"/admin/answers/publishedversion/{version.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "it matches what was approved" in text and version.fingerprint in text
    assert "Dr Robin Reviewer, MD, PhD" in text and "Erin Editor, MPH" in text
    assert "https://doi.org/10.1016/S0140-6736(23)01126-1" in text  # a source's DOI
    assert version.research_html in text
    download = client.get(f"/admin/answers/publishedversion/{version.pk}/json/")
    assert download["Content-Disposition"].endswith(f'qasite-approval-{version.pk}.json"')
    record = json.loads(download.content)
    assert record["fingerprint"] == record["fingerprint_recomputed"] == version.fingerprint
    assert record["content"]["research"] == demo_answer.research
    assert [source["number"] for source in record["sources"]] == [1, 9, 10, 11]
    assert record["reviewer"]["display_name"] == "Dr Robin Reviewer"


def test_the_audit_page_is_read_only_and_staff_only(client, demo_answer, reviewer, visitor):
    url = f"/admin/answers/publishedversion/{demo_answer.live_version.pk}/change/"
    client.force_login(visitor)
    assert client.get(url).status_code == 302  # to the admin's login
    client.force_login(reviewer)
    assert "Save" not in client.get(url).content.decode()
    assert client.post(url, {"research": "Tampered."}).status_code in (403, 405, 200)
    demo_answer.live_version.refresh_from_db()
    assert "Tampered" not in demo_answer.live_version.research


def test_the_fingerprint_check_finds_a_version_changed_behind_the_workflow(
    client, demo_answer, reviewer, capsys
):
    call_command("check_fingerprints")
    assert "1 live versions checked, 0 mismatched." in capsys.readouterr().out
    PublishedVersion.objects.update(research_html="x", research="Changed in the database.")
    with pytest.raises(SystemExit) as failed:
        call_command("check_fingerprints")
    assert failed.value.code == 1 and "MISMATCH" in capsys.readouterr().out
    client.force_login(reviewer)
    audit = client.get(f"/admin/answers/publishedversion/{demo_answer.live_version.pk}/change/")
    assert "The fingerprint does not match" in audit.content.decode()


def test_the_favicon_is_linked_and_favicon_ico_answers(client, demo_answer):
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"] == "/static/favicon.svg"


def test_a_bad_update_note_is_refused_and_kept_in_the_form(client, in_review, reviewer):
    client.force_login(reviewer)
    url = f"/admin/answers/answer/{in_review.pk}/workflow/approve/"
    long_note = "Added the 2026 trial results. " * 11
    page = client.post(url, {"version": in_review.version, "update_note": long_note})
    text = page.content.decode()
    assert page.status_code == 200 and "keep it under 301" in text
    assert 'value="Added the 2026 trial results.' in text  # nothing typed is lost
    in_review.refresh_from_db()
    assert in_review.status == Answer.Status.IN_REVIEW
    page = client.post(url, {"version": in_review.version, "update_note": "Added\x00 results"})
    assert page.status_code == 200 and "errornote" in page.content.decode()
