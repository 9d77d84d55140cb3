from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.registry import Module, Nav

VIEW = "exams.view_exams"
MANAGE_QUESTIONS = "exams.manage_questions"
MANAGE_EXAMS = "exams.manage_exams"
TAKE = "exams.take_exam"

EVERYONE = (
    "sysadmin",
    "hq_cp_officer",
    "branch_cp_officer",
    "complaint_handler",
    "business_responder",
    "approver",
    "auditor",
    "learner",
)


class ExamsConfig(AppConfig):
    """The question bank, exams, practice and contests: papers fixed or drawn by rules, attempts saved
    answer by answer against the server's clock, automatic grading, results and item analysis."""

    name = "xiaobao.exams"
    label = "exams"
    verbose_name = _("Exams")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[
            Nav("exams:list", pgettext_lazy("module", "Exams"), VIEW, order=51, group="people"),
            Nav("exams:questions", _("Question bank"), VIEW, order=52, group="people"),
            Nav("exams:my", pgettext_lazy("module", "My learning"), TAKE, order=95, group="people"),
        ],
        roles={
            **{role: [TAKE] for role in EVERYONE},
            "hq_cp_officer": [TAKE, VIEW, MANAGE_QUESTIONS, MANAGE_EXAMS],
            "branch_cp_officer": [TAKE, VIEW, MANAGE_QUESTIONS, MANAGE_EXAMS],
            "auditor": [TAKE, VIEW],
        },
        # everyone, learners too: the exams open to me now, inside the to-do card
        home_panel="xiaobao.exams.figures.home_panel",
        home_template="exams/_home_panel.html",
        home_place="todo",
        figures="xiaobao.exams.figures.figures",
        demo="xiaobao.training.demo.load_exams",  # the question bank, a year of exams and attempts
        periodic=["xiaobao.exams.attempts.submit_expired"],
        order=51,
    )
