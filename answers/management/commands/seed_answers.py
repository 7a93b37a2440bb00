"""
Fill a database with realistic content for benchmarks: `manage.py seed_answers --count 100000`.

Everything is written in bulk (bulk_create in batches, set-based UPDATEs), never through
save() or the workflow, so 100,000 answers take minutes. What the workflow would have made
is made the same way it does: each published version is rendered by answers/rendering.py,
freezes `Answer.frozen_content()` with its fingerprint, and has the search vector of
answers/search.py. Text comes from a fixed vocabulary picked Zipf-like with a seeded
random.Random, so a run is repeatable and full-text search finds a rare word in a few
answers and a common one in many.
"""

import datetime
import math
import random
import time
from collections import namedtuple
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVector
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from answers import attribution, publication, rendering, search
from answers.demo_content import DEMO_FILE, parse_answer_file
from answers.models import (
    Answer,
    Authorship,
    ContributorProfile,
    Disclaimer,
    PublishedVersion,
    Question,
    Topic,
    Transition,
    months_after,
)
from answers.roles import EDITOR, MEDICAL_REVIEWER
from answers.workflow import Status, content_fingerprint
from citations.formatting import format_reference
from citations.markers import marker_uses, reference_entry
from citations.models import Citation, Source

# More answers than this (the demo answer, a few made by hand) and the database is taken
# to hold real or earlier seeded content: seeding more needs --append.
HANDFUL = 5

# What each seeded answer is, with its share of the answers. "edited" and "resubmitted"
# are live answers with a newer draft or submission (`changed_since_approval`).
STATES = {
    "published": 75,
    "draft": 10,
    "in_review": 5,
    "withdrawn": 4,
    "edited": 3,
    "resubmitted": 2,
    "scheduled": 1,
}  # per cent
STATUS = {
    "published": Status.PUBLISHED,
    "draft": Status.DRAFT,
    "in_review": Status.IN_REVIEW,
    "withdrawn": Status.WITHDRAWN,
    "edited": Status.DRAFT,
    "resubmitted": Status.IN_REVIEW,
    "scheduled": Status.SCHEDULED,
}
LIVE = {"published", "edited", "resubmitted"}
APPROVED = LIVE | {"withdrawn", "scheduled"}

# As answers/search.py `refresh_vector` builds it, for a whole batch in one UPDATE.
SEARCH_VECTOR = (
    SearchVector("question_text", weight="A", config=search.SEARCH_CONFIG)
    + SearchVector("short_answer", weight="B", config=search.SEARCH_CONFIG)
    + SearchVector("research_plain", weight="C", config=search.SEARCH_CONFIG)
)

FUNCTION_WORDS = """
the of and in to a with for is that are as or by on was from at be this which have not may
than their these more after can were has been its also but most such when while both only
""".split()

COMMON_WORDS = """
patients people treatment risk study studies trial trials results evidence doctor symptoms
disease therapy dose weeks months years adults children women men blood pressure heart
pain sleep diet exercise weight health care hospital medicine medicines drug drugs side
effects benefit benefits harms long term early severe mild moderate common rare chronic
acute daily oral injection infusion surgery test tests screening diagnosis survival quality
life function outcome outcomes response rate rates group groups placebo control review
analysis data follow-up participants compared found showed reduced increased lower higher
improved worse safe safety effective effectiveness approved guideline guidelines specialist
nurse clinic family history age older younger pregnancy breastfeeding infection fever cough
fatigue tiredness nausea vomiting diarrhoea constipation rash itching swelling bleeding
bruising dizziness headache anxiety depression mood memory concentration appetite
breathing chest lungs liver kidneys bones joints muscles skin eyes ears brain nerves stomach
bowel bladder immune system cells levels normal abnormal mg ml per cent percent average
median range years-old lifestyle smoking alcohol activity walking stress support advice
information decision choice options alternatives combination standard usual first-line
second-line relapse remission progression recovery complications admission emergency
monitoring check-ups appointments referral waiting costs access availability approval
regulators licence label off-label evidence-based uncertain unclear limited small large
randomised observational cohort registry population national international centres
researchers authors reviewers experts recommend recommendation suggest suggested likely
unlikely possible probably usually often sometimes rarely never always reported reports
measured measure scores scale questionnaire months-long weekly monthly yearly regular
short-term long-term benefit-risk balance tolerated tolerability stopped stopping switch
switching start starting continue continuing reduce increase prevent prevention manage
management control controlled treat treated treating diagnosed affected living carers
partners home work school driving travel food water vitamin supplements herbal natural
sugar salt fat fibre protein calories fruit vegetables meals night morning evening
""".split()

MEDICAL_TERMS = """
inflammation antibody antibodies antigen vaccine vaccination immunotherapy chemotherapy
radiotherapy biopsy metastasis tumour tumours lesion lesions plaque plaques receptor
receptors enzyme enzymes hormone hormones insulin cortisol oestrogen testosterone thyroxine
cholesterol triglycerides haemoglobin platelets neutrophils lymphocytes cytokine cytokines
interleukin interferon microglia myelin axon neurons synapse dopamine serotonin
neurotransmitter seizure seizures epilepsy migraine aura neuropathy dementia delirium
arrhythmia fibrillation ischaemia infarction thrombosis embolism aneurysm stenosis
hypertension hypotension tachycardia bradycardia angina atherosclerosis cardiomyopathy
anaemia leukaemia lymphoma myeloma melanoma carcinoma sarcoma glioma adenoma polyp polyps
fracture osteoporosis osteoarthritis arthritis gout lupus psoriasis eczema dermatitis
urticaria asthma bronchitis pneumonia emphysema fibrosis sepsis antibiotic antibiotics
antiviral antifungal resistance microbiome probiotic probiotics gut flora endoscopy
colonoscopy ultrasound scan scans tomography resonance mri ct pet x-ray electrocardiogram
echocardiogram spirometry mammography genome genetic genes mutation mutations biomarker
biomarkers prognosis incidence prevalence mortality morbidity comorbidity comorbidities
dosage titration contraindication interaction interactions adverse hypersensitivity
anaphylaxis allergy allergies allergen intolerance coeliac diabetes glucose glycaemic
ketoacidosis hypoglycaemia obesity metabolic syndrome dialysis transplant transplantation
rejection graft stem marrow plasma serum urine sputum cerebrospinal fluid lumbar puncture
anaesthesia sedation analgesia analgesic opioid opioids paracetamol ibuprofen steroid
steroids corticosteroid corticosteroids immunosuppressant immunosuppression biologic
biologics infusions subcutaneous intravenous intramuscular topical inhaler inhalers
nebuliser catheter stent pacemaker defibrillator bypass angioplasty laparoscopy incision
wound healing scar rehabilitation physiotherapy occupational psychotherapy counselling
cognitive behavioural mindfulness palliative hospice end-of-life frailty falls incontinence
menopause fertility contraception miscarriage preeclampsia gestational neonatal
paediatric geriatric hepatitis cirrhosis pancreatitis gallstones reflux ulcer ulcers
colitis crohn diverticulitis appendicitis hernia haemorrhoids cystitis prostate kidney
nephropathy retinopathy glaucoma cataract macular degeneration tinnitus vertigo sinusitis
tonsillitis periodontitis
""".split()

DRUG_NAMES = """
metformin insulin rituximab ocrelizumab natalizumab ofatumumab fingolimod dimethyl
fumarate teriflunomide cladribine alemtuzumab interferon glatiramer levodopa carbidopa
donepezil memantine sertraline fluoxetine citalopram venlafaxine amitriptyline gabapentin
pregabalin lamotrigine levetiracetam valproate topiramate sumatriptan propranolol
atenolol bisoprolol ramipril lisinopril losartan amlodipine furosemide spironolactone
warfarin apixaban rivaroxaban aspirin clopidogrel atorvastatin simvastatin ezetimibe
semaglutide liraglutide empagliflozin dapagliflozin sitagliptin gliclazide levothyroxine
prednisolone methotrexate hydroxychloroquine adalimumab infliximab etanercept tocilizumab
omeprazole lansoprazole amoxicillin doxycycline azithromycin ciprofloxacin nitrofurantoin
trimethoprim aciclovir salbutamol budesonide fluticasone montelukast tamoxifen letrozole
anastrozole trastuzumab pembrolizumab nivolumab cisplatin carboplatin paclitaxel
denosumab alendronate zoledronate allopurinol colchicine tramadol morphine codeine
""".split()

# Roots and endings that make the long tail of the vocabulary: "hepatitis", "nephrology",
# "gastroscopy" and thousands like them, each rare, as most medical words are.
ROOTS = """
cardi hepat nephr neur gastr derm oste arthr my pneum bronch haemat lymph thyr aden encephal
mening col enter cyst ur pyel angi phleb vascul rhin ot ophthalm retin kerat pancreat splen
chol oesophag laryng pharyng trache pleur chondr fibr lip gluc hyster oophor mast prostat
orch cephal crani spondyl vertebr dent gingiv gloss stomat cyt leuk erythr thromb onc carcin
sarc immun path psych hem ren pulmon cerebr myel dermat endocrin rheumat urethr salping
""".split()
ENDINGS = """
itis osis ology ologist ectomy opathy algia ogram ography oscopy omegaly oma otomy ostomy
oplasty ic al ogenic olysis orrhoea ocele ostasis oplasia ism ogenesis
""".split()
DRUG_STEMS = """
ada bel cari dene elo fora gali hexa ino jura kelo lora mira nola ora peli quine rava sira
tela uma vela zora abro deni
""".split()
DRUG_ENDINGS = """
mab nib pril sartan olol statin azole mycin cillin vir tide parin gliptin lukast dronate
floxacin prazole setron triptan zumab
""".split()

CONDITIONS = """
Asthma|Type 2 diabetes|Type 1 diabetes|High blood pressure|Heart failure|Atrial fibrillation|
Coronary heart disease|Stroke|Multiple sclerosis|Parkinson's disease|Alzheimer's disease|
Epilepsy|Migraine|Chronic obstructive pulmonary disease|Pneumonia|Tuberculosis|HIV|
Hepatitis B|Hepatitis C|Fatty liver disease|Cirrhosis|Crohn's disease|Ulcerative colitis|
Irritable bowel syndrome|Coeliac disease|Gastro-oesophageal reflux|Gallstones|Pancreatitis|
Chronic kidney disease|Kidney stones|Urinary tract infections|Prostate cancer|Breast cancer|
Lung cancer|Bowel cancer|Pancreatic cancer|Ovarian cancer|Cervical cancer|Skin cancer|
Melanoma|Leukaemia|Lymphoma|Myeloma|Brain tumours|Thyroid cancer|Bladder cancer|
Osteoporosis|Osteoarthritis|Rheumatoid arthritis|Gout|Lupus|Psoriasis|Eczema|Acne|Rosacea|
Depression|Anxiety|Bipolar disorder|Schizophrenia|ADHD|Autism|Insomnia|Sleep apnoea|
Eating disorders|Alcohol use disorder|Smoking cessation|Obesity|High cholesterol|
Anaemia|Sickle cell disease|Haemophilia|Deep vein thrombosis|Pulmonary embolism|
Peripheral arterial disease|Varicose veins|Glaucoma|Cataracts|Macular degeneration|
Hearing loss|Tinnitus|Vertigo|Sinusitis|Allergies|Hay fever|Food allergy|Anaphylaxis|
Endometriosis|Polycystic ovary syndrome|Menopause|Infertility|Pregnancy|Pre-eclampsia|
Gestational diabetes|Postnatal depression|Erectile dysfunction|Incontinence|
Chronic fatigue syndrome|Fibromyalgia|Long COVID|COVID-19|Influenza|Shingles|Measles|
Lyme disease|Sepsis|Back pain|Neck pain|Sciatica|Carpal tunnel syndrome|Tendinopathy|
Sports injuries|Concussion|Motor neurone disease|Myasthenia gravis|Huntington's disease|
Cystic fibrosis|Down syndrome|Hypothyroidism|Hyperthyroidism|Addison's disease|
Cushing's syndrome|Vaccination|Palliative care|Dementia care|Frailty|Falls prevention
""".replace("\n", "").split("|")
TOPIC_GROUPS = ["", " in children", " in older adults", " in pregnancy"]

QUESTION_FORMS = [
    "Can {thing} help with {topic}",
    "Is {thing} safe for people with {topic}",
    "What does recent research say about {thing} for {topic}",
    "How well does {thing} work for {topic}",
    "Does {thing} raise the risk of {other} in people with {topic}",
    "Should I ask about {thing} if I have {topic}",
    "Are {thing} and {other} used together to treat {topic}",
    "What are the side effects of {thing} in {topic}",
    "How long does {thing} take to work for {topic}",
    "Is there a link between {topic} and {other}",
]
QUESTION_TAILS = [
    "according to recent reviews",
    "compared with standard treatment",
    "when other treatments have not worked",
    "based on the latest clinical trials",
    "for someone who was diagnosed recently",
    "and what do doctors recommend",
]
DOCTOR_OPENERS = [
    "What are", "How does", "Is", "Are there", "Should I", "Can I", "Could", "When should I",
    "What would", "How often should I",
]  # fmt: skip
STUDY_OPENERS = [
    "A {year} systematic review of {n} trials found that",
    "In a {year} randomised trial of {n} patients,",
    "A {year} guideline recommends that",
    "A cohort study of {n} adults published in {year} reported that",
    "According to a {year} meta-analysis,",
]
UPDATE_NOTES = [
    "Added the results of a recent randomised trial.",
    "Checked against the latest guideline; the advice is unchanged.",
    "Updated the section on side effects.",
    "Replaced an older review with a newer systematic review.",
]

FIRST_NAMES = """
Amara Ben Chloe Dev Elena Farid Grace Hiro Imani Jonas Kavya Leo Maya Nikolai Olu Priya
Quinn Rosa Samir Tara Umar Vera Wei Ximena Yusuf Zoe Aisha Bruno Carmen Dmitri
""".split()
FAMILY_NAMES = """
Okafor Schmidt Nguyen Patel Rossi Kowalski Haddad Tanaka Mensah Lindqvist Garcia Murphy
Novak Costa Fischer Ahmed Jensen Moreau Silva Kim Brown Dubois Ivanova Hughes Rahman
Ferreira Andersson Cohen Osei Walker Zhang Schett Mackensen Vukovic Konitsioti Warnke
""".split()
INITIALS = "ABCDEFGHJKLMNPRSTW"
AFFILIATIONS = [
    "Northgate University Hospital", "St Anne's Teaching Hospital", "Riverside Medical Centre",
    "Institute of Clinical Research, Eastfield", "Harbour City Children's Hospital",
    "Department of Public Health, Westbrook University", "Lakeside Cancer Centre",
]  # fmt: skip
SPECIALTIES = [
    "Consultant neurologist", "Consultant cardiologist", "Consultant oncologist",
    "General practitioner", "Consultant rheumatologist", "Consultant psychiatrist",
    "Clinical pharmacist", "Consultant paediatrician", "Consultant gastroenterologist",
    "Consultant endocrinologist",
]  # fmt: skip
CONFLICTS = [
    "Speaker fees from a maker of diabetes treatments (2024).",
    "Consultancy for a medical device company; no shares.",
    "Research funding from a national charity for the topics reviewed.",
]
JOURNALS = [
    "The Lancet", "New England Journal of Medicine", "JAMA", "BMJ", "Nature Medicine",
    "Annals of Internal Medicine", "Cochrane Database of Systematic Reviews", "Lancet Neurology",
    "Journal of Neurology", "Frontiers in Medicine", "Circulation", "European Heart Journal",
    "Diabetes Care", "Journal of Clinical Oncology", "Gut", "Thorax", "Pediatrics",
    "American Journal of Psychiatry", "Arthritis & Rheumatology", "Clinical Infectious Diseases",
    "PLOS Medicine", "BMJ Open", "Journal of the American College of Cardiology",
    "Obstetrics & Gynecology", "Age and Ageing", "Hepatology", "Kidney International",
    "Multiple Sclerosis Journal", "Cell", "Nature Reviews Disease Primers",
]  # fmt: skip
EVIDENCE = [
    (Source.EvidenceType.SYSTEMATIC_REVIEW, ["Journal Article", "Systematic Review"], 20),
    (Source.EvidenceType.RCT, ["Journal Article", "Randomized Controlled Trial"], 20),
    (Source.EvidenceType.OBSERVATIONAL, ["Journal Article", "Observational Study"], 20),
    (Source.EvidenceType.NARRATIVE_REVIEW, ["Journal Article", "Review"], 15),
    (Source.EvidenceType.PHASE_2, ["Journal Article", "Clinical Trial, Phase II"], 6),
    (Source.EvidenceType.PHASE_3, ["Journal Article", "Clinical Trial, Phase III"], 6),
    (Source.EvidenceType.PHASE_1, ["Journal Article", "Clinical Trial, Phase I"], 3),
    (Source.EvidenceType.CASE_REPORT, ["Journal Article", "Case Reports"], 3),
    (Source.EvidenceType.GUIDELINE, ["Practice Guideline"], 5),
    (Source.EvidenceType.OTHER, [], 2),
]
# How often a source (one of all but the most cited) is retracted, and so on, per 1,000.
RETRACTIONS = {
    Source.Retraction.RETRACTED: 3,
    Source.Retraction.CONCERN: 3,
    Source.Retraction.CORRECTED: 10,
    Source.Retraction.NONE: 984,
}
SPECIAL_DISCLAIMERS = {
    "Mental health disclaimer": "These answers about {topic} are drawn from common patient "
    "questions and cited research. They are not individual advice. If you are thinking of "
    "harming yourself, call your local emergency number now.",
    "Pregnancy disclaimer": "Answers about {topic} summarise cited research for patients. "
    "Medicines and tests in pregnancy need your own midwife's or doctor's advice.",
    "Children's health disclaimer": "These answers about {topic} summarise cited research "
    "for parents and carers. A child who seems very unwell needs urgent medical care.",
    "Cancer care disclaimer": "Answers about {topic} summarise cited research. Your cancer "
    "team knows your situation: discuss any change of treatment with them first.",
}


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


class Command(BaseCommand):
    help = (
        "Fill the database with realistic content for benchmarks: topics, a shared library "
        "of sources, and --count answers with questions, citations, writers and workflow "
        "log; about 75% published (with rendered, searchable versions, some overdue for "
        "review), the rest drafts, in review, withdrawn, edited since approval or "
        "scheduled. Written in bulk: the revision history (simple_history) of seeded rows "
        "stays empty, so their timelines start at the next edit. Refuses a database that "
        f"has more than {HANDFUL} answers unless --append is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="Answers to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same content.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Answers per batch.")
        parser.add_argument(
            "--topics",
            type=int,
            default=300,
            help=f"Topics to use (at most {len(CONDITIONS) * len(TOPIC_GROUPS)}).",
        )
        parser.add_argument(
            "--sources", type=int, default=None, help="Sources to add (default: count / 4)."
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add to a database that already has answers (real or seeded).",
        )

    def handle(self, *args, count, seed, batch_size, topics, sources, append, **options):
        existing = Answer.objects.count()
        if existing > HANDFUL and not append:
            raise CommandError(
                f"This database already has {existing:,} answers. Seed an empty database, "
                "or pass --append to add to these."
            )
        if connection.vendor != "postgresql":
            raise CommandError("Seeding needs PostgreSQL (search vectors, bulk SQL).")
        sources = max(20, count // 4) if sources is None else sources
        if count < 1 or batch_size < 1 or sources < 12:
            raise CommandError("--count and --batch-size must be positive, --sources at least 12.")
        started = time.monotonic()
        first_serial = (Question.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        # The same seed on a database holding other content makes other text.
        rng = random.Random(f"{seed}-{first_serial}")
        prose = Prose(rng)
        with transaction.atomic():
            cast = Cast(rng)
            topic_list = seed_topics(rng, prose, topics)
            library = Library(rng, prose, sources)
        self.stdout.write(
            f"{len(topic_list)} topics, {len(library.sources):,} new sources, "
            f"{len(cast.reviewers)} reviewers, {len(cast.writers)} writers "
            f"({time.monotonic() - started:.0f} s)"
        )
        states = [state for state, percent in STATES.items() for _ in range(count * percent // 100)]
        states += ["published"] * (count - len(states))
        rng.shuffle(states)
        seeder = Batch(rng, prose, cast, topic_list, library)
        for start in range(0, count, batch_size):
            with transaction.atomic():
                seeder.add(states[start : start + batch_size], first_serial + start)
            reset_queries()  # DEBUG keeps every query, and these are megabytes each
            done = min(start + batch_size, count)
            self.stdout.write(f"{done:,}/{count:,} answers ({time.monotonic() - started:.0f} s)")
            self.stdout.flush()
        if not connection.in_atomic_block:  # not in a test's transaction
            with connection.cursor() as cursor:
                # Fresh statistics for the planner, and the search index's pending list flushed.
                cursor.execute("VACUUM ANALYZE")
        publication.record()
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")


class Cast:
    """Who wrote and reviewed the answers: the site's editors and medical reviewers, a fixed
    set of seeded ones (found again by --append), and writers without an account."""

    def __init__(self, rng):
        self.rng = rng
        for n in range(1, 11):
            self.account(f"seed-reviewer-{n:02}", MEDICAL_REVIEWER, n, rng.choice(SPECIALTIES))
            self.account(f"seed-editor-{n:02}", EDITOR, n + 10, "Medical writer")
        for n in range(21, 61):
            ContributorProfile.objects.get_or_create(
                user=None, display_name=self.name(n), defaults=self.profile(n, "Medical writer")
            )
        self.reviewers = list(
            ContributorProfile.objects.filter(user__groups__name=MEDICAL_REVIEWER)
            .select_related("user")
            .distinct()
            .order_by("pk")
        )
        self.editors = list(get_user_model().objects.filter(groups__name=EDITOR).order_by("pk"))
        self.writers = list(
            ContributorProfile.objects.filter(Q(user__groups__name=EDITOR) | Q(user=None))
            .distinct()
            .order_by("pk")
        )

    def name(self, n):
        return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {FAMILY_NAMES[n * 7 % len(FAMILY_NAMES)]}"

    def profile(self, n, role):
        doctor = role != "Medical writer"
        return {
            "display_name": ("Dr " if doctor else "") + self.name(n),
            "credentials": self.rng.choice(["MD, PhD", "MBBS", "MD", "PharmD"])
            if doctor
            else self.rng.choice(["MPH", "MSc", "PhD", "BSc, MA"]),
            "role": role,
            "affiliation": self.rng.choice(AFFILIATIONS),
            "bio": f"{self.name(n)} works as a {role.lower()} and writes and checks answers "
            "for patients from published research.",
            "disclosures": self.rng.choice(CONFLICTS)
            if self.rng.random() < 0.15
            else ContributorProfile.NONE_DECLARED,
        }

    def account(self, username, group, n, role):
        first, last = self.name(n).split(" ", 1)
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@qasite.example",
                "is_staff": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
        ContributorProfile.objects.get_or_create(user=user, defaults=self.profile(n, role))


def seed_topics(rng, prose, wanted):
    """`wanted` topics, conditions first, then the same for children, older adults and
    pregnancy; most use the site's default disclaimer (made if there is none), a fifth one
    of the specialised ones. Topics already there (same slug) are used as they are. Each
    gets `seed_words` (its name mid-sentence) and `seed_disclaimer_html` (what its answers
    show under them)."""
    default = Disclaimer.objects.default()
    if default is None:
        demo = parse_answer_file(DEMO_FILE.read_text(encoding="utf-8"))
        default = Disclaimer.objects.create(
            title="Standard disclaimer", body=demo["disclaimer"], is_default=True
        )
    special = [
        Disclaimer.objects.get_or_create(title=title, defaults={"body": body})[0]
        for title, body in SPECIAL_DISCLAIMERS.items()
    ]
    names = [condition + group for group in TOPIC_GROUPS for condition in CONDITIONS][:wanted]
    existing = {t.slug: t for t in Topic.objects.filter(slug__in=[slugify(n) for n in names])}
    new = []
    for name in names:
        if slugify(name) in existing:
            continue
        description = f"Answers to common questions about {in_sentence(name)}. " + prose.sentence()
        new.append(
            Topic(
                name=name,
                slug=slugify(name),
                description=description + ".",
                description_html=rendering.render_plain_markdown(description + "."),
                disclaimer=rng.choice(special) if rng.random() < 0.2 else None,
            )
        )
    Topic.objects.bulk_create(new)
    by_slug = {**existing, **{topic.slug: topic for topic in new}}
    topics = [by_slug[slugify(name)] for name in names]
    for topic in topics:
        # Answer.disclaimer_html() for the topic's answers, made once per topic.
        topic.seed_disclaimer_html = str((topic.disclaimer or default).render_for(topic.name))
        topic.seed_words = in_sentence(topic.name)
    return topics


class Library:
    """The shared sources the answers cite, a few cited by many answers, most by a few."""

    def __init__(self, rng, prose, count):
        self.rng = rng
        first = (Source.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        sources = [
            self.source(prose, first + rank, flaggable=rank > count // 100) for rank in range(count)
        ]
        Source.objects.bulk_create(sources, batch_size=2000)
        self.sources = sources
        self.weights = zipf_weights(len(sources), offset=20)

    def source(self, prose, serial, flaggable):
        """A source; `flaggable` ones (all but the most cited) may be retracted, corrected
        or under an expression of concern (RETRACTIONS)."""
        rng = self.rng
        evidence, publication_types, _ = rng.choices(EVIDENCE, [e[2] for e in EVIDENCE])[0]
        # Most sources are recent: a median age of about four years.
        year = max(1990, timezone.localdate().year - round(rng.expovariate(1 / 6)))
        kind = Source.Kind.ARTICLE
        if evidence == Source.EvidenceType.GUIDELINE:
            kind = Source.Kind.REPORT
        elif evidence == Source.EvidenceType.OTHER:
            kind = rng.choice([Source.Kind.WEBPAGE, Source.Kind.BOOK, Source.Kind.CHAPTER])
        article = kind == Source.Kind.ARTICLE
        authors = [
            rng.choice(FAMILY_NAMES) + " " + "".join(rng.sample(INITIALS, rng.randint(1, 2)))
            for _ in range(rng.randint(1, 6))
        ]
        if rng.random() < 0.3:
            authors.append("et al")
        first_page = rng.randint(1, 3000)
        source = Source(
            kind=kind,
            authors="; ".join(authors),
            title=prose.sentence(),
            container_title=rng.choice(JOURNALS) if article else "",
            year=year,
            volume=str(rng.randint(1, 420)) if article else "",
            issue=str(rng.randint(1, 24)) if article and rng.random() < 0.8 else "",
            pages=f"{first_page}-{first_page + rng.randint(3, 15)}" if article else "",
            # 10.5555 is Crossref's test prefix: no seeded DOI can name a real paper.
            doi=f"10.5555/seed.{year}.{serial}" if article and rng.random() < 0.95 else "",
            pmid=str(20_000_000 + serial) if article and rng.random() < 0.85 else "",
            url="" if article else f"https://guidelines.example.org/{serial}",
            evidence_type=evidence,
            publication_types=publication_types,
        )
        status = ""
        if flaggable:
            status = rng.choices(list(RETRACTIONS), list(RETRACTIONS.values()))[0]
        if status:
            source.retraction_status = status
            source.retraction_notice_url = f"https://notices.example.org/{serial}"
            source.retraction_checked_at = timezone.now()
        # What Source.save() would store; bulk_create does not call it.
        source.formatted = format_reference(source)
        return source

    def pick(self, count):
        """`count` different sources."""
        chosen = {}
        while len(chosen) < count:
            for source in self.rng.choices(self.sources, cum_weights=self.weights, k=count):
                chosen.setdefault(source.pk, source)
        return list(chosen.values())[:count]


class Batch:
    """Adds answers a batch at a time: each table once, in bulk, then the links between
    answers and their versions, and the versions' search vectors, in set-based UPDATEs."""

    def __init__(self, rng, prose, cast, topics, library):
        self.rng, self.prose, self.cast = rng, prose, cast
        self.topics, self.library = topics, library
        self.topic_weights = zipf_weights(len(topics), offset=5)
        self.review_days = settings.REVIEW_INTERVAL_MONTHS * 30.4

    def add(self, states, first_serial):
        self.now = timezone.now()
        self.questions, self.answers, self.citations, self.authorships = [], [], [], []
        self.versions, self.transitions, self.timelines = [], [], []
        for serial, state in enumerate(states, start=first_serial):
            self.answer(state, serial)
        Question.objects.bulk_create(self.questions)
        Answer.objects.bulk_create(self.answers)
        Citation.objects.bulk_create(self.citations)
        Authorship.objects.bulk_create(self.authorships)
        PublishedVersion.objects.bulk_create(self.versions)
        Transition.objects.bulk_create(self.transitions)
        # bulk_create stamped the auto_now(_add) fields with now: set the seeded times, and
        # link the answers to their versions, one statement per table (unnest takes columns).
        rows = [
            (answer.pk, pk(when.live), pk(when.scheduled), when.created, when.updated)
            for answer, _, when in self.timelines
        ]
        question_rows = [(question.pk, when.created) for _, question, when in self.timelines]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Answer._meta.db_table} AS a SET live_version_id = v.live,"
                " scheduled_version_id = v.scheduled, created_at = v.created,"
                " updated_at = v.updated"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::timestamptz[],"
                " %s::timestamptz[]) AS v(id, live, scheduled, created, updated)"
                " WHERE a.id = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
            cursor.execute(
                f"UPDATE {Question._meta.db_table} AS q SET created_at = v.created"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, created)"
                " WHERE q.id = v.id",
                [list(column) for column in zip(*question_rows, strict=True)],
            )
        PublishedVersion.objects.filter(pk__in=[v.pk for v in self.versions]).update(
            search_vector=SEARCH_VECTOR
        )

    def days_ago(self, days):
        return self.now - datetime.timedelta(days=days)

    def answer(self, state, serial):
        rng, prose = self.rng, self.prose
        topic = rng.choices(self.topics, cum_weights=self.topic_weights)[0]
        text = prose.question(topic.seed_words)
        question = Question(
            text=text, slug=f"{slugify(text)[:190].strip('-')}-{serial}", topic=topic
        )
        sources = self.library.pick(rng.randint(3, 12))
        answer = Answer(
            question=question,
            short_answer=prose.short_answer(topic.seed_words),
            research=prose.research(len(sources)),
            doctor_questions=prose.doctor_questions(),
            status=STATUS[state],
            author=rng.choice(self.cast.editors) if self.cast.editors else None,
        )
        citations = [
            Citation(answer=answer, number=number, source=source)
            for number, source in enumerate(sources, start=1)
        ]
        writers = rng.sample(self.cast.writers, rng.choice([1, 1, 1, 2, 2, 3]))
        self.questions.append(question)
        self.answers.append(answer)
        self.citations += citations
        self.authorships += [
            Authorship(answer=answer, contributor=writer, order=order)
            for order, writer in enumerate(writers, start=1)
        ]
        when = self.workflow(state, question, answer, citations, writers)
        self.timelines.append((answer, question, when))

    def workflow(self, state, question, answer, citations, writers):
        """The versions and workflow log of an answer in `state`: returns its Timeline."""
        rng, editor = self.rng, answer.author
        if state == "draft":
            created = self.days_ago(rng.uniform(0, 120))
            return Timeline(created, created + (self.now - created) * rng.random())
        if state == "scheduled":
            approved = self.days_ago(rng.uniform(0, 3))
        elif state in APPROVED:
            # Reviewed up to 10% longer ago than the review interval: about one live
            # answer in eleven is overdue, and one in fourteen due within 30 days.
            approved = self.days_ago(rng.uniform(0, self.review_days * 1.1))
        else:
            approved = None
        submitted = (approved or self.now) - datetime.timedelta(days=rng.uniform(1, 14))
        created = submitted - datetime.timedelta(days=rng.uniform(1, 60))
        content = frozen_content(question, answer, citations, writers)
        self.step(answer, "submit", Status.DRAFT, Status.IN_REVIEW, editor, submitted)
        if state == "in_review":
            answer.submitted_fingerprint = content_fingerprint(content)
            return Timeline(created, submitted)
        reviewer = rng.choice(self.cast.reviewers)
        version = self.version(answer, content, reviewer, approved)
        if state == "scheduled":
            version.go_live_at = self.now + datetime.timedelta(days=rng.uniform(1, 14))
            self.step(
                answer, "approve", Status.IN_REVIEW, Status.SCHEDULED, reviewer.user, approved
            )
            return Timeline(created, approved, scheduled=version)
        version.live_from = approved
        self.step(answer, "approve", Status.IN_REVIEW, Status.PUBLISHED, reviewer.user, approved)
        later = approved + (self.now - approved) * rng.random()
        if state == "withdrawn":
            why = "Withdrawn while newer evidence is checked."
            self.step(
                answer, "withdraw", Status.PUBLISHED, Status.WITHDRAWN, reviewer.user, later, why
            )
            return Timeline(created, later)
        if state == "published":
            return Timeline(created, approved, live=version)
        # A newer draft than what patients read: one more sentence in the short answer.
        answer.short_answer += " " + self.prose.sentence() + "."
        why = "Content changed; a new approval is needed."
        self.step(answer, "edit", Status.PUBLISHED, Status.DRAFT, editor, later, why)
        if state == "resubmitted":
            content = frozen_content(question, answer, citations, writers)
            answer.submitted_fingerprint = content_fingerprint(content)
            self.step(answer, "submit", Status.DRAFT, Status.IN_REVIEW, editor, later)
        return Timeline(created, later, live=version)

    def step(self, answer, action, from_status, to_status, user, at, comment=""):
        self.transitions.append(
            Transition(
                answer=answer,
                action=action,
                from_status=from_status,
                to_status=to_status,
                user=user,
                at=at,
                comment=comment,
            )
        )

    def version(self, answer, content, reviewer, approved):
        """What `answer.approve(reviewer)` would freeze (see `Answer.build_version`)."""
        rng = self.rng
        reviewed_on = timezone.localdate(approved)
        first_published_on, updates, update_note = reviewed_on, [], ""
        if rng.random() < 0.15:  # an update of an answer first published years ago
            first_published_on = reviewed_on - datetime.timedelta(days=rng.randint(400, 1200))
            update_note = rng.choice(UPDATE_NOTES)
            updates = [{"date": str(reviewed_on), "note": update_note}]
        research_html = rendering.render_markdown(attribution.without_marks(content["research"]))
        version = PublishedVersion(
            answer=answer,
            **content,
            short_answer_html=rendering.render_plain_markdown(content["short_answer"]),
            research_html=research_html,
            research_plain=rendering.plain_text(research_html),
            doctor_questions_html=rendering.render_list(content["doctor_questions"]),
            reviewer=reviewer.user,
            reviewer_name=reviewer.display_name,
            reviewer_credentials=reviewer.credentials,
            reviewer_role=reviewer.role,
            reviewer_affiliation=reviewer.affiliation,
            reviewer_bio=reviewer.bio,
            reviewer_disclosures=reviewer.disclosures,
            first_published_on=first_published_on,
            update_note=update_note,
            updates=updates,
            reviewed_on=reviewed_on,
            next_review_due=months_after(reviewed_on, settings.REVIEW_INTERVAL_MONTHS),
            approved_at=approved,
            source_ids=[ref["source_id"] for ref in content["references"]],
            fingerprint=content_fingerprint(content),
        )
        self.versions.append(version)
        return version


# When an answer was created and last changed, and its live or scheduled version.
Timeline = namedtuple("Timeline", "created updated live scheduled", defaults=[None, None])


def pk(obj):
    return obj.pk if obj else None


def frozen_content(question, answer, citations, writers):
    """`Answer.frozen_content()` of an answer not saved yet, from the objects in hand."""
    uses = marker_uses(answer.research)
    return {
        "question_text": question.text,
        "topic_name": question.topic.name,
        "short_answer": answer.short_answer,
        "research": answer.research,
        "doctor_questions": answer.doctor_questions,
        "references": [reference_entry(c, uses.get(c.number, 0)) for c in citations],
        "disclaimer_html": question.topic.seed_disclaimer_html,
        "authors": [writer.as_published() for writer in writers],
    }
