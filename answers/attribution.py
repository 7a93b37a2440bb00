"""
Attribution (JAMA): every paragraph or list item of "What the research says" cites a
source, or the editor says it needs none (a transition sentence, say) by ending it with
`NO_CITATION`. The live preview lists the uncited ones as the editor types, submission is
refused while any is left, and the reviewer sees those marked as needing none.
"""

from dataclasses import dataclass

from citations.markers import contains_markers, parse

NO_CITATION = "[no citation needed]"


@dataclass(frozen=True)
class Block:
    text: str
    marked: bool  # the editor says it needs no citation

    @property
    def excerpt(self):
        text = " ".join(self.text.replace(NO_CITATION, "").split())
        return text if len(text) <= 90 else text[:87].rstrip() + "…"


def uncited_blocks(research):
    """The paragraphs and list items of `research` that cite nothing, in reading order."""
    blocks = []
    tokens = parse(research)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        text = inline.content
        if not text.strip() or contains_markers(text):
            continue
        blocks.append(Block(text, NO_CITATION in text))
    return blocks


def unmarked(research):
    return [block for block in uncited_blocks(research) if not block.marked]


def without_marks(research):
    """The text as patients read it: the editor's marks taken out."""
    return (research or "").replace(" " + NO_CITATION, "").replace(NO_CITATION, "")
