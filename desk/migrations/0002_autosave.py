# What a person typed into an answer's change form and has not saved (desk.Autosave).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('desk', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Autosave',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fields', models.JSONField(help_text="The texts as typed, by the form field's name.")),
                ('started_from', models.PositiveIntegerField(help_text="The answer's version the form was opened at: putting the text back on a later version is refused once, as any stale save is, so nobody's edit is overwritten unseen.")),
                ('saved_at', models.DateTimeField(auto_now=True)),
                ('answer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='answers.answer')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'answer'), name='one_autosave_per_user_and_answer', violation_error_message='This person already has an autosaved text of this answer: it is replaced, not added to.')],
            },
        ),
    ]
