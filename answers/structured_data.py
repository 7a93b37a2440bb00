"""schema.org JSON-LD for a published answer: what search engines read of the page."""

from django.utils.html import strip_tags


def medical_web_page(version, url):
    """schema.org MedicalWebPage for a published version, as a dict ready for JSON."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": version.question_text,
        "url": url,
        "description": version.short_answer,
        "datePublished": version.approved_at.date().isoformat(),
        "lastReviewed": version.reviewed_on.isoformat() if version.reviewed_on else None,
        "reviewedBy": {
            "@type": "Person",
            "name": version.reviewer_name,
            "honorificSuffix": version.reviewer_credentials,
        },
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
