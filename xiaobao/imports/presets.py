"""Presets shipped with Xiaobao (data, editable after the migration loads them).

`cfpb`: the US CFPB Consumer Complaint Database export, in the layouts found in the wild (the official
18 columns; underscores for spaces; the Kaggle "consumer_complaints" layout with `Company response`; a
Product + narrative extract without dates). The value tables follow the JR/T 0169-2018 categories of
`xiaobao/complaints/presets.py`; values not in a table go to the "other" code (A99/B99/C99) and are counted.
"""

from __future__ import annotations

from typing import Any

CFPB_NAME = "cfpb"

CFPB_COLUMNS: dict[str, list[str]] = {
    "external_id": ["Complaint ID"],
    "received_on": ["Date received"],
    "business_type": ["Product"],
    "product": ["Product"],
    "sub_product": ["Sub-product"],
    "cause": ["Issue"],
    "issue": ["Issue"],
    "sub_issue": ["Sub-issue"],
    "narrative": ["Consumer complaint narrative"],
    "company": ["Company"],
    "region": ["State"],
    "channel": ["Submitted via"],
    "status": ["Company response to consumer", "Company response"],
    "special_groups": ["Tags"],
}

CFPB_BUSINESS_TYPES = {
    # current taxonomy (2017 onwards)
    "Credit reporting, credit repair services, or other personal consumer reports": "B08",
    "Debt collection": "B13",
    "Checking or savings account": "B01",
    "Credit card or prepaid card": "B0303",
    "Mortgage": "B0201",
    "Student loan": "B0202",
    "Vehicle loan or lease": "B0202",
    "Payday loan, title loan, or personal loan": "B0202",
    "Money transfer, virtual currency, or money service": "B0401",
    # legacy taxonomy (before 2017)
    "Credit reporting": "B08",
    "Credit card": "B0303",
    "Bank account or service": "B01",
    "Consumer Loan": "B0202",
    "Payday loan": "B0202",
    "Money transfers": "B0401",
    "Prepaid card": "B03",
    "Other financial service": "B07",
}

_CAUSES: dict[str, list[str]] = {
    "C01": [  # service attitude and quality
        "Customer service / Customer relations",
        "Customer service/Customer relations",
        "Problem with customer service",
        "Can't contact lender",
        "Can't contact lender or servicer",
        "Dealing with my lender or servicer",
        "Dealing with your lender or servicer",
        "Other service issues",
        "Other service problem",
    ],
    "C02": [  # facilities, equipment, systems
        "Using a debit or ATM card",
        "Trouble using your card",
        "Trouble using the card",
        "Transaction issue",
    ],
    "C03": [  # rules and processes
        "Account opening, closing, or management",
        "Managing an account",
        "Closing/Cancelling account",
        "Closing an account",
        "Closing your account",
        "Opening an account",
        "Managing, opening, or closing account",
        "Loan modification,collection,foreclosure",
        "Loan servicing, payments, escrow account",
        "Deposits and withdrawals",
        "Managing the loan or lease",
        "Problem with a credit reporting company's investigation into an existing problem",
        "Credit reporting company's investigation",
        "Problem with a company's investigation into an existing issue",
        "Unable to get credit report/credit score",
        "Unable to get your credit report or credit score",
        "Trouble during payment process",
        "Application, originator, mortgage broker",
        "Problems when you are unable to pay",
        "Can't repay my loan",
        "Struggling to pay mortgage",
        "Struggling to pay your loan",
        "Struggling to repay your loan",
        "Struggling to pay your bill",
        "Making/receiving payments, sending money",
        "Payoff process",
        "Problem with the payoff process at the end of the loan",
        "Credit decision / Underwriting",
        "Credit determination",
        "Taking out the loan or lease",
        "Applying for a mortgage or refinancing an existing mortgage",
        "Applying for a mortgage",
        "Closing on a mortgage",
        "Problem when making payments",
        "Getting a credit card",
        "Credit line increase/decrease",
        "Application processing delay",
        "Billing disputes",
        "Delinquent account",
        "Problem with a purchase shown on your statement",
        "Money was not available when promised",
        "Forbearance / Workout plans",
        "Getting a loan or lease",
        "Getting a loan",
        "Getting the loan",
        "Problems at the end of the loan or lease",
        "Problem getting a card or closing an account",
        "Managing the line of credit",
        "Bankruptcy",
        "Balance transfer",
        "Applied for loan/did not receive money",
        "Was approved for a loan, but didn't receive money",
        "Sale of account",
        "Adding money",
        "Problem adding money",
        "Cash advance",
        "Getting a line of credit",
        "Credit limit changed",
        "Managing, opening, or closing your mobile wallet account",
    ],
    "C04": [  # marketing
        "Advertising and marketing",
        "Advertising and marketing, including promotional offers",
        "Advertising",
        "Confusing or misleading advertising or marketing",
        "Unsolicited issuance of credit card",
        "Shopping for a loan or lease",
        "Shopping for a line of credit",
        "Credit card protection / Debt protection",
        "Problem with additional add-on products or services",
        "Convenience checks",
    ],
    "C05": [  # disclosure
        "Disclosure verification of debt",
        "Written notification about debt",
        "Incorrect/missing disclosures or info",
        "Confusing or missing disclosures",
        "Disclosures",
        "Advertising, marketing or disclosures",
        "Billing statement",
    ],
    "C07": [  # pricing and fees
        "Charged fees or interest I didn't expect",
        "Charged fees or interest you didn't expect",
        "APR or interest rate",
        "Late fee",
        "Fees or interest",
        "Other fee",
        "Unexpected or other fees",
        "Unexpected/Other fees",
        "Balance transfer fee",
        "Cash advance fee",
        "Overlimit fee",
        "Fees",
        "Excessive fees",
        "Problems caused by my funds being low",
        "Problem caused by your funds being low",
        "Settlement process and costs",
        "Incorrect exchange rate",
    ],
    "C08": ["Rewards", "Overdraft, savings or rewards features"],  # product returns
    "C09": [
        "Account terms and changes",
        "Other features, terms, or problems",
        "Arbitration",
    ],  # contract terms
    "C10": [  # safety of funds
        "Identity theft / Fraud / Embezzlement",
        "Fraud or scam",
        "Unauthorized transactions/trans. issues",
        "Unauthorized transactions or other transaction problem",
        "Received a loan I didn't apply for",
        "Received a loan you didn't apply for",
        "Lost or stolen money order",
        "Lost or stolen check",
        "Can't stop charges to bank account",
        "Problem with a lender or other company charging your account",
        "Payment to acct not credited",
        "Charged bank acct wrong day or amt",
        "Wrong amount charged or received",
        "Loan payment wasn't credited to your account",
        "Other transaction issues",
        "Other transaction problem",
        "Problem with a purchase or transfer",
        "Lender damaged or destroyed vehicle",
    ],
    "C11": [  # information security (credit reports, privacy)
        "Incorrect information on credit report",
        "Incorrect information on your report",
        "Improper use of your report",
        "Improper use of my credit report",
        "Improper contact or sharing of info",
        "Credit monitoring or identity protection",
        "Credit monitoring or identity theft protection services",
        "Identity theft protection or other monitoring services",
        "Problem with fraud alerts or security freezes",
        "Privacy",
    ],
    "C12": [  # debt collection methods
        "Cont'd attempts collect debt not owed",
        "Attempts to collect debt not owed",
        "Communication tactics",
        "False statements or representation",
        "Taking/threatening an illegal action",
        "Took or threatened to take negative or legal action",
        "Threatened to contact someone or share information improperly",
        "Lender repossessed or sold the vehicle",
    ],
    "C99": ["Other"],
}
CFPB_CAUSES = {issue: code for code, issues in _CAUSES.items() for issue in issues}

CFPB_CHANNELS = {
    "Web": "A0399",
    "Web Referral": "A04",
    "Referral": "A04",
    "Phone": "A0302",
    "Postal mail": "A06",
    "Fax": "A06",
    "Email": "A06",
}

CFPB_STATUSES = {
    "Closed with explanation": "closed",
    "Closed with non-monetary relief": "closed",
    "Closed with monetary relief": "closed",
    "Closed with relief": "closed",
    "Closed without relief": "closed",
    "Closed": "closed",
    "Untimely response": "closed",
    "In progress": "registered",
}
CFPB_LIABILITY = {
    "Closed with explanation": "valid",
    "Closed with non-monetary relief": "valid",
    "Closed with relief": "valid",
    "Closed with monetary relief": "at_fault",
    "Closed": "",
    "Untimely response": "",
    "In progress": "",
}
CFPB_GROUPS = {"Older American": "elderly", "Servicemember": "servicemember"}

CFPB_DEFAULTS: dict[str, Any] = {
    "channel": "A99",
    "business_type": "B99",
    "cause": "C99",
    "status": "closed",
    "liability": "",
    # Forwarded to the company by the US CFPB: a referral, not one of our regulators (NFRA, PBoC), so the
    # statistics' "forwarded by regulators" does not count it.
    "source": "other_referral",
    # A public file of past complaints: rows "In progress" there are archived here, not opened in our queues.
    "historical": True,
    "external_prefix": "cfpb:",
    "date_order": "auto",
    "list_separator": ",",
    "complainant_name": "匿名",
}

CFPB_PRESET: dict[str, Any] = {
    "name": CFPB_NAME,
    "description": "US CFPB Consumer Complaint Database export (CSV or Excel; official and Kaggle layouts)",
    "file_kinds": ["csv", "xlsx"],
    "columns": CFPB_COLUMNS,
    "value_maps": {
        "business_type": CFPB_BUSINESS_TYPES,
        "cause": CFPB_CAUSES,
        "channel": CFPB_CHANNELS,
        "status": CFPB_STATUSES,
        "liability": CFPB_LIABILITY,
        "special_groups": CFPB_GROUPS,
    },
    "defaults": CFPB_DEFAULTS,
    "is_builtin": True,
}


def load_builtin_presets(preset_model: Any) -> None:
    """Create the shipped presets that do not exist yet (never overwrites an edited one)."""
    if not preset_model.objects.filter(name=CFPB_NAME).exists():
        preset_model.objects.create(**CFPB_PRESET)


def load_builtin_presets_now() -> None:
    from xiaobao.imports.models import ImportPreset

    load_builtin_presets(ImportPreset)
