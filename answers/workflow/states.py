"""The states an answer is in, and what the workflow's refusals are."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models

COMMENT_MAX_CHARS = 2000
UPDATE_NOTE_LENGTH = 300


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    # Approved with a go-live time still to come: not public until then.
    SCHEDULED = "scheduled", "Approved, scheduled"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TransitionError(ValidationError):
    """A workflow step that is not allowed now; the message says why, for the editor."""


def content_fingerprint(content):
    """A digest of an answer's frozen content (see `Answer.frozen_content`)."""
    encoded = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
