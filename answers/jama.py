"""
The four JAMA benchmarks for health information on the web (Silberg, Lundberg and Musacchio,
JAMA 1997): authorship, attribution, disclosure and currency, as qasite checks them on a
page. The approval step refuses a page that would fall short (answers/workflow/steps.py), and
`manage.py check_jama` reports every published page against them.
"""

AUTHORSHIP, ATTRIBUTION, DISCLOSURE, CURRENCY = (
    "authorship",
    "attribution",
    "disclosure",
    "currency",
)
BENCHMARKS = [AUTHORSHIP, ATTRIBUTION, DISCLOSURE, CURRENCY]


def shortfalls(authors, reviewer, references, dated):
    """[(benchmark, what is missing)] for a page with these `authors` and `reviewer` (dicts
    of ContributorProfile.PATIENT_FIELDS, as a published version keeps them), reference
    list and review dates (`dated`: first published, last reviewed and next review all
    set). Empty when the page meets all four."""
    missing = []
    if not authors:
        missing.append((AUTHORSHIP, "an author (add one under Authors)"))
    for author in authors:
        if not author["credentials"].strip():
            missing.append((AUTHORSHIP, f"the credentials of the author {author['display_name']}"))
        if not author["disclosures"].strip():
            missing.append(
                (DISCLOSURE, f"a conflicts-of-interest statement for {author['display_name']}")
            )
    if not reviewer["display_name"].strip() or not reviewer["credentials"].strip():
        missing.append((AUTHORSHIP, "the reviewer's credentials (in their reviewer profile)"))
    if not reviewer["disclosures"].strip():
        missing.append(
            (DISCLOSURE, "the reviewer's conflicts-of-interest statement (in their profile)")
        )
    if not references:
        missing.append((ATTRIBUTION, "at least one reference"))
    if not dated:
        missing.append((CURRENCY, "the dates it was first published, reviewed and is next due"))
    return missing


def version_shortfalls(version):
    """The same for a published version, as it was frozen."""
    reviewer = {
        "display_name": version.reviewer_name,
        "credentials": version.reviewer_credentials,
        "disclosures": version.reviewer_disclosures,
    }
    dated = bool(version.first_published_on and version.reviewed_on and version.next_review_due)
    return shortfalls(version.authors, reviewer, version.references, dated)
