"""The vocabulary and the shares the seeder draws from: fixed, so a seed makes the same content."""

from answers.workflow import Status
from citations.models import Source

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
