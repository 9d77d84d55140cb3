from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "review.view_review"
SUBMIT = "review.submit_review"
CONDUCT = "review.conduct_review"
DECIDE = "review.decide_review"
MANAGE_APPROVAL = "review.manage_approval"


class ReviewConfig(AppConfig):
    """Consumer-protection review (消保审查) of products, fees, contracts and marketing: requests, opinions
    and their adoption, approvals bound to the exact file."""

    name = "xiaobao.review"
    label = "review"
    verbose_name = _("Consumer-protection review")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("review:list", pgettext_lazy("module", "Reviews"), VIEW, order=30, group="review")],
        roles={
            "business_responder": [VIEW, SUBMIT],
            "branch_cp_officer": [VIEW, SUBMIT, CONDUCT],
            "hq_cp_officer": [VIEW, SUBMIT, CONDUCT, DECIDE, MANAGE_APPROVAL],
            "approver": [VIEW, DECIDE],
            "auditor": [VIEW],
            "complaint_handler": [VIEW],
        },
        home_panel="xiaobao.review.selectors.home_panel",
        home_template="review/_home_panel.html",
        home_place="todo",  # reviews to answer and to review, inside the to-do card
        figures="xiaobao.review.figures.figures",
        stats_section="xiaobao.review.stats.stats_section",
        stats_template="review/_stats_section.html",
        report_sections=["xiaobao.review.report_sections.review_section"],
        clocks=["review.ReviewClock"],
        deadline_subjects=["review.review"],
        periodic=[
            "xiaobao.review.approvals.approvals_expire",
            "xiaobao.review.recheck.recheck_on_rule_activation",
        ],
        panels={
            "complaints.complaint": ["review/_complaint_block.html"],
            "review.review": ["review/_linked_complaints.html"],
        },
        demo="xiaobao.review.demo.load",
        demo_arguments="xiaobao.review.demo.arguments",
        search="xiaobao.review.search.search",
        order=30,
    )
