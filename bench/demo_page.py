"""The demo answer (answers/demo/car-t-ms.md) as one page of rich text, for the Wagtail
comparison: JSON with its title, slug and body HTML, rendered by qasite's own renderer so
both sites carry the same text. Usage: demo_page.py > answer.json"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")

import django  # noqa: E402

django.setup()

from django.utils.html import escape  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from answers.demo_content import DEMO_FILE, parse_answer_file  # noqa: E402
from answers.rendering import (  # noqa: E402
    fill_topic,
    render_list,
    render_markdown,
    render_plain_markdown,
)


def reference_html(ref):
    parts = [ref.get("authors", ""), ref.get("title", ""), ref.get("journal", "")]
    issue = f"({ref['issue']})" if ref.get("issue") else ""
    where = ref.get("volume", "") + issue + (f":{ref['pages']}" if ref.get("pages") else "")
    parts.append(ref.get("year", "") + (f";{where}" if where else ""))
    text = escape(". ".join(part for part in parts if part)) + "."
    if ref.get("doi"):
        doi = escape(ref["doi"])
        text += f' doi:<a href="https://doi.org/{doi}">{doi}</a>'
    return text


def main():
    answer = parse_answer_file(DEMO_FILE.read_text(encoding="utf-8"))
    references = "".join(
        f'<li id="ref-{number}">{reference_html(ref)}</li>'
        for number, ref in sorted(answer["references"].items())
    )
    body = "".join(
        [
            "<h2>Short answer</h2>",
            render_plain_markdown(answer["short answer"]),
            "<h2>What the research says</h2>",
            render_markdown(answer["what the research says"]),
            "<h2>What to ask your doctor</h2>",
            render_list(answer["what to ask your doctor"]),
            f"<h2>References</h2><ol>{references}</ol>",
            fill_topic(render_plain_markdown(answer["disclaimer"]), answer["topic"]),
        ]
    )
    slug = slugify(answer["question"])[:200].strip("-")
    json.dump({"title": answer["question"], "slug": slug, "body": str(body)}, sys.stdout)


if __name__ == "__main__":
    main()
