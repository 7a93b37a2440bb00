"""The phases of a bench/zipf.sh run, which the load (bench/zipf.py) and the approvals
(bench/approvals.py) both follow: the same clock (ZIPF_T0) and the same lengths."""

import os


def phases():
    """[(name, start, end)] in epoch seconds: warm-up, after, before."""
    start = float(os.environ["ZIPF_T0"])
    spans = []
    for name, variable, default in (
        ("warm-up", "ZIPF_WARMUP_MINUTES", "3"),
        ("after", "ZIPF_MINUTES", "10"),
        ("before", "ZIPF_BEFORE_MINUTES", "5"),
    ):
        end = start + 60 * float(os.environ.get(variable, default))
        spans.append((name, start, end))
        start = end
    return spans
