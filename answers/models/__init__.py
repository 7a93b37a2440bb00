"""
The editorial domain's models, a module for each concern:

- topics.py: topics, disclaimers, questions;
- contributors.py: writers and reviewers, and who wrote which answer;
- answers.py: answers, the working copies editors change, with their workflow
  (answers/workflow/);
- content.py: what of an answer its published version freezes, and who changed it;
- versions.py: the published versions patients read, and `freeze()`;
- transitions.py: the workflow's log;
- comments.py: the review conversation: comments on passages, and review links for outside
  experts;
- site.py: the site's policies, and the publication records delivery reads.
"""

from answers.models.answers import Answer, AnswerQuerySet, RevisionSnapshot
from answers.models.comments import Comment, ReviewLink
from answers.models.content import AnswerContent, editors_since, frozen_content
from answers.models.contributors import Authorship, ContributorProfile
from answers.models.site import PageEpoch, PageGeneration, SitePolicy, SurrogateKey, Tombstone
from answers.models.topics import Disclaimer, Question, Topic
from answers.models.transitions import Transition
from answers.models.versions import (
    FROZEN_CONTENT,
    PUBLIC_VERSION_FIELDS,
    PublishedVersion,
    freeze,
    months_after,
    updates_after,
)
from answers.workflow import Status, TransitionError

__all__ = [
    "FROZEN_CONTENT", "PUBLIC_VERSION_FIELDS", "Answer", "AnswerContent", "AnswerQuerySet",
    "Authorship", "Comment", "ContributorProfile", "Disclaimer", "PageEpoch", "PageGeneration",
    "PublishedVersion", "Question", "ReviewLink", "RevisionSnapshot", "SitePolicy", "Status",
    "SurrogateKey", "Tombstone", "Topic", "Transition", "TransitionError", "editors_since",
    "freeze", "frozen_content", "months_after", "updates_after",
]  # fmt: skip
