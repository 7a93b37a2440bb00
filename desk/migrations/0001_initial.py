# The reviewers' queue moves from answers (AnswerDueForReview) to the desk, as a proxy.

from django.db import migrations


def grant_roles(apps, schema_editor):
    # Editors and medical reviewers read the queue (answers.roles: view_reviewqueue).
    from answers.roles import create_roles

    create_roles(apps)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('answers', '0026_review_queue_moves_to_the_desk'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewQueue',
            fields=[
            ],
            options={
                'verbose_name': 'answer in the review queue',
                'verbose_name_plural': 'answers in the review queue',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('answers.answer',),
        ),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
