"""The management commands draw a progress bar on a terminal, and only there."""

import io

import pytest
from django.core.management import call_command


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command, options", [("check_citations", {}), ("check_reviews_due", {"days": 400})]
)
def test_a_bar_on_a_terminal_and_none_in_a_log(demo_answer, command, options):
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        try:
            call_command(command, stdout=io.StringIO(), stderr=stream, **options)
        except SystemExit:
            pass  # check_reviews_due exits 1 when something is due: it is, within 400 days
    assert "100%" in terminal.getvalue() and "1/1" in terminal.getvalue()
    assert log.getvalue() == ""
