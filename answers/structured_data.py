"""schema.org JSON-LD for a published answer: what search engines read of the page."""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from answers import languages


def person(profile):
    """schema.org Person for a contributor as a version froze them."""
    data = {
        "@type": "Person",
        "name": profile["display_name"],
        "honorificSuffix": profile.get("credentials") or None,
        "jobTitle": profile.get("role") or None,
        "affiliation": {"@type": "Organization", "name": profile["affiliation"]}
        if profile.get("affiliation")
        else None,
        "description": profile.get("bio") or None,
    }
    return {key: value for key, value in data.items() if value is not None}


def publisher(url):
    """Who runs the site, and where its ownership, funding and editorial policy are."""
    return {
        "@type": "Organization",
        "name": settings.PUBLISHER_NAME,
        "url": urljoin(url, reverse("public:home")),
        "publishingPrinciples": urljoin(url, reverse("public:policy", args=["editorial"])),
        "ownershipFundingInfo": urljoin(url, reverse("public:policy", args=["ownership"])),
    }


def medical_web_page(version, url, original_url=None):
    """schema.org MedicalWebPage for a published version, as a dict ready for JSON: in the
    version's language (`inLanguage`, a BCP 47 tag) and, for a translation whose original's
    page address the caller knows (`original_url`), `translationOfWork` pointing at it.
    Nothing here reads the database: the page's render pays for no query of its own."""
    first = version.first_published_on or version.approved_at.date()
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": version.question_text,
        "url": url,
        "inLanguage": languages.tag(version.language),
        "translationOfWork": {"@type": "MedicalWebPage", "url": original_url}
        if original_url
        else None,
        "description": version.short_answer,
        "datePublished": first.isoformat(),
        "dateModified": version.approved_at.date().isoformat(),
        "lastReviewed": version.reviewed_on.isoformat() if version.reviewed_on else None,
        "author": [person(author) for author in version.authors] or None,
        "reviewedBy": person(
            {
                "display_name": version.reviewer_name,
                "credentials": version.reviewer_credentials,
                "role": version.reviewer_role,
                "affiliation": version.reviewer_affiliation,
                "bio": version.reviewer_bio,
            }
        ),
        "publisher": publisher(url),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": {"@type": "Thing", "name": version.topic_name},
        "citation": [
            {
                "@type": "CreativeWork",
                "name": strip_tags(ref["html"]),
                **(
                    {"url": ref["doi_url"] or ref["link_url"]}
                    if ref["doi_url"] or ref["link_url"]
                    else {}
                ),
            }
            for ref in version.references
        ],
    }
    return {key: value for key, value in data.items() if value is not None}
