from django.db import models


class StoredPage(models.Model):
    path = models.CharField(max_length=500, unique=True)
    html = models.TextField()

    def __str__(self):
        return self.path
