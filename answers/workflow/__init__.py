"""
The editorial workflow, declared once: the states (states.py), the table of steps, `STEPS`,
with their checks and effects (steps.py), and the engine that takes them for `Answer`
(engine.py). Every change of an answer's status is a step of the table.
"""

from answers.workflow.engine import Workflow, check_schedule, clean_comment, taking_step
from answers.workflow.states import (
    COMMENT_MAX_CHARS,
    UPDATE_NOTE_LENGTH,
    Status,
    TransitionError,
    content_fingerprint,
)
from answers.workflow.steps import STEPS, Given, Step

__all__ = [
    "COMMENT_MAX_CHARS", "STEPS", "UPDATE_NOTE_LENGTH", "Given", "Status", "Step",
    "TransitionError", "Workflow", "check_schedule", "clean_comment", "content_fingerprint",
    "taking_step",
]  # fmt: skip
