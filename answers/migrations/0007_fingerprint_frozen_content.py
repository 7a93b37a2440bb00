"""Published versions' fingerprints now digest everything they froze (the question, topic
name, references and disclaimer too, see answers/workflow.py): recompute them from the
frozen fields. Answers in review keep their old submission digest; a reviewer sends them
back and the editor submits them again."""

from django.db import migrations

from answers.workflow import content_fingerprint

FROZEN_CONTENT = [
    "question_text", "topic_name", "short_answer", "research", "doctor_questions",
    "references", "disclaimer_html",
]  # fmt: skip


def recompute(apps, schema_editor):
    PublishedVersion = apps.get_model("answers", "PublishedVersion")
    for version in PublishedVersion.objects.only("pk", *FROZEN_CONTENT).iterator():
        digest = content_fingerprint({name: getattr(version, name) for name in FROZEN_CONTENT})
        PublishedVersion.objects.filter(pk=version.pk).update(fingerprint=digest)


class Migration(migrations.Migration):
    dependencies = [("answers", "0006_drop_draft_html_validate_markdown")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
