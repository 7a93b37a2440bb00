"""The site's policies as a new site starts with them (answers.SitePolicy): each page exists
from the start, and editors rewrite them in the admin."""

DEFAULTS = {
    "ownership": (
        "qasite is an independent editorial service. It is owned and run by its editorial "
        "team, carries no advertising and accepts no money from makers of medicines, "
        "medical devices or tests.\n\n"
        "Its costs are paid by its publisher. No funder sees or changes an answer before "
        "it is published."
    ),
    "editorial": (
        "Every answer is written from published medical research, with a numbered "
        "reference for each claim, and is published only after a medical reviewer, who "
        "did not write or last change it, approved it exactly as patients read it.\n\n"
        "Each page names its writers and its reviewer, with their qualifications and "
        "their conflicts of interest, and says when it was first published, last reviewed "
        "and is next due for review. Every answer is reviewed again at least once a year; "
        "a page whose review is overdue says so. When a cited paper is retracted, the page "
        "says so at once."
    ),
    "conflicts": (
        "Everyone who writes or reviews an answer declares their conflicts of interest "
        "(funding, consultancy, shares, speaker fees), and each page shows the "
        "declarations of the people named on it. Nobody reviews an answer about a product "
        "of a company that pays them."
    ),
}
