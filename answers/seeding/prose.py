"""Text that reads like answers: words picked Zipf-like from the vocabulary, so full-text
search finds a rare word in a few answers and a common one in many."""

import math
from itertools import accumulate

from answers.demo_content import DEMO_FILE, parse_answer_file
from answers.seeding.words import (
    COMMON_WORDS,
    DOCTOR_OPENERS,
    DRUG_ENDINGS,
    DRUG_NAMES,
    DRUG_STEMS,
    ENDINGS,
    FUNCTION_WORDS,
    MEDICAL_TERMS,
    QUESTION_FORMS,
    QUESTION_TAILS,
    ROOTS,
    STUDY_OPENERS,
)


def zipf_weights(count, offset=10):
    """Cumulative weights for random.choices: the k-th item is picked about 1/(k+offset)
    as often as the first is (the offset keeps the head from taking everything)."""
    return list(accumulate(1 / (rank + offset) for rank in range(count)))


def vocabulary(rng):
    """A few thousand words, commonest first: health words, real medical terms and drug
    names, then the long tail of made-up but plausible ones."""
    made_up = [root + ending for root in ROOTS for ending in ENDINGS]
    made_up += [stem + ending for stem in DRUG_STEMS for ending in DRUG_ENDINGS]
    tiers = [COMMON_WORDS, MEDICAL_TERMS + DRUG_NAMES, made_up]
    words = []
    for tier in tiers:
        tier = list(dict.fromkeys(tier))
        rng.shuffle(tier)
        words += tier
    return list(dict.fromkeys(words))


def in_sentence(name):
    """A topic's name as it reads mid-sentence: "Asthma" becomes "asthma", while "HIV"
    and "Crohn's disease" keep their capitals."""
    if "'" in name or name[1:2].isupper():
        return name
    return name[0].lower() + name[1:]


def vary(rng, size):
    """A length within ±50% of `size`."""
    return round(size * rng.uniform(0.5, 1.5))


def marker(numbers):
    """The text of a citation marker: [3], [4-5] or [2, 7]."""
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"[{numbers[0]}-{numbers[-1]}]"
    return "[" + ", ".join(map(str, numbers)) + "]"


class Prose:
    """Sentences from the vocabulary, sized like the demo answer's sections."""

    def __init__(self, rng):
        self.rng = rng
        self.words = vocabulary(rng)
        self.weights = zipf_weights(len(self.words))
        demo = parse_answer_file(DEMO_FILE.read_text(encoding="utf-8"))
        self.sizes = {
            name: len(demo[name])
            for name in ("short answer", "what the research says", "what to ask your doctor")
        }

    def pick(self, count):
        return self.rng.choices(self.words, cum_weights=self.weights, k=count)

    def phrase(self, low=1, high=3):
        return " ".join(self.pick(self.rng.randint(low, high)))

    def sentence(self, subject=""):
        """One sentence without its full stop, about `subject` if given."""
        rng = self.rng
        words = []
        for word in self.pick(rng.randint(6, 16)):
            if rng.random() < 0.5:
                words.append(rng.choice(FUNCTION_WORDS))
            words.append(word)
        if subject:
            words.insert(rng.randrange(len(words)), subject)
        if rng.random() < 0.3:
            comma = rng.randrange(2, len(words) - 1)
            words[comma] += ","
        if rng.random() < 0.25:
            opener = rng.choice(STUDY_OPENERS)
            words.insert(0, opener.format(year=rng.randint(2005, 2025), n=rng.randint(3, 900)))
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def sentences(self, size, subject=""):
        """Sentences adding up to about `size` characters, the first about `subject`."""
        sentences, length = [], 0
        while length < size:
            sentences.append(self.sentence(subject if not sentences else ""))
            length += len(sentences[-1]) + 2
        return sentences

    def question(self, topic_words):
        while True:
            text = self.rng.choice(QUESTION_FORMS).format(
                thing=self.phrase(1, 4), other=self.phrase(1, 3), topic=topic_words
            )
            while len(text) < 60 or self.rng.random() < 0.3:
                text += " " + self.rng.choice(QUESTION_TAILS)
            if len(text) < 200:
                return text[0].upper() + text[1:] + "?"

    def short_answer(self, topic_words):
        size = vary(self.rng, self.sizes["short answer"])
        return " ".join(s + "." for s in self.sentences(size, topic_words))

    def research(self, citations):
        """Paragraphs citing 1…`citations` in order of first use, each number at least
        once, every paragraph ending with a marker (as submission requires)."""
        rng = self.rng
        sentences = self.sentences(vary(rng, self.sizes["what the research says"]))
        paragraphs, start = [], 0
        while start < len(sentences):
            end = start + rng.randint(3, 6)
            paragraphs.append(sentences[start:end])
            start = end
        # Which sentences end with a marker: each paragraph's last, and some others.
        cited = [
            [s == len(paragraph) - 1 or rng.random() < 0.4 for s in range(len(paragraph))]
            for paragraph in paragraphs
        ]
        markers = iter(self.markers(sum(sum(row) for row in cited), citations))
        texts = []
        for paragraph, ends_cited in zip(paragraphs, cited, strict=True):
            texts.append(
                " ".join(
                    f"{sentence} {next(markers)}." if ends else f"{sentence}."
                    for sentence, ends in zip(paragraph, ends_cited, strict=True)
                )
            )
        return "\n\n".join(texts)

    def markers(self, slots, citations):
        """`slots` markers citing 1…`citations`: the next new number (or two) while there
        are new ones left, else an earlier one; the last marker cites all still uncited."""
        rng, markers, new = self.rng, [], 1
        for slot in range(slots):
            left, unused = slots - slot, citations - new + 1
            if unused and (left == 1 or new == 1 or unused >= left or rng.random() < 0.6):
                take = unused if left == 1 else math.ceil(unused / left)
                if take < unused and rng.random() < 0.2:
                    take += 1
                numbers = list(range(new, new + take))
                new += take
            else:
                numbers = sorted(rng.sample(range(1, new), min(new - 1, rng.choice([1, 1, 2]))))
            markers.append(marker(numbers))
        return markers

    def doctor_questions(self):
        size = vary(self.rng, self.sizes["what to ask your doctor"])
        lines, length = [], 0
        while length < size:
            opener = self.rng.choice(DOCTOR_OPENERS)
            words = " ".join(self.pick(self.rng.randint(5, 11)))
            lines.append(f"- {opener} {words}?")
            length += len(lines[-1]) + 1
        return "\n".join(lines)
