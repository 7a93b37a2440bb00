# Reviewer profiles become contributor profiles: writers and reviewers alike (issue 10).

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0010_stored_pages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("ReviewerProfile", "ContributorProfile"),
        migrations.RenameModel("HistoricalReviewerProfile", "HistoricalContributorProfile"),
    ]
