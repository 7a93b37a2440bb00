"""
Realistic content for benchmarks, made in bulk: `manage.py seed_answers --count 100000`.

Everything is written in bulk (bulk_create in batches, set-based UPDATEs), never through
save() or the workflow, so 100,000 answers take minutes. What the workflow would have made
is made the same way it does: each published version is rendered by answers/rendering.py,
freezes `Answer.frozen_content()` with its fingerprint, and has the search vector of
answers/search.py. Text comes from a fixed vocabulary picked Zipf-like with a seeded
random.Random, so a run is repeatable and full-text search finds a rare word in a few
answers and a common one in many.
"""
