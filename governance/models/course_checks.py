"""Course checks (koerschecks): is the chain still on course on content, procedure, relations and culture.

A ``CourseCheck`` covers one cadence window of a chain (``opens_on`` is the window's first day,
unique per chain: that is what makes "opened exactly once per chain and cadence" hold in the
database). When it opens, the people holding a current seat for a partner in the chain's active
bodies become its ``CourseCheckRespondent`` rows (a snapshot, with the partner they represent)
and its ``CourseCheckStatement`` rows are copied from the chain's previous check (or Dutch
defaults). A respondent's ``CourseCheckScore`` rows are their answer; a second answer updates
them until the check closes.

Privacy: nothing per person is ever shown or exported (pages, API, admin, audit trail); results
aggregate per partnership (governance/services/course_check_results.py). Deleting a person keeps
their respondent row and scores with ``person`` NULL: the answer stays in the aggregates, anonymised.
See docs/partner-health.md, "Course checks".
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Partnership, Person

# How long a check stays open when nothing else is said.
DEFAULT_OPEN_DAYS = 28


class CourseCheckStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Dimension(models.TextChoices):
    CONTENT = "content", _("Content")
    PROCEDURE = "procedure", _("Procedure")
    RELATIONS = "relations", _("Relations")
    CULTURE = "culture", _("Culture")


def default_question() -> str:
    """The open question, in the portal's language (stored text: the chain reads it in Dutch)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("What should change?")


class CourseCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> CourseCheckQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def still_open(self) -> CourseCheckQuerySet:
        return self.filter(status=CourseCheckStatus.OPEN)

    def closed(self) -> CourseCheckQuerySet:
        return self.filter(status=CourseCheckStatus.CLOSED)

    def previous_closed(self, check: CourseCheck) -> CourseCheckQuerySet:
        """The chain's closed checks that opened before ``check``, latest first."""
        return self.closed().filter(chain_id=check.chain_id, opens_on__lt=check.opens_on).order_by("-opens_on")


class CourseCheck(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="course_checks", verbose_name=_("chain"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=6, choices=CourseCheckStatus, default=CourseCheckStatus.OPEN, editable=False
    )
    opened_at = models.DateTimeField(_("opened at"), db_default=Now(), editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # Set by a conditional UPDATE (only where still NULL): the reminder goes out once.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    question = models.TextField(_("open question"), default=default_question)
    # Written once at closing (governance/services/course_check_results.py compute_alert): which
    # dimensions' chain score dropped by 0.5 or more since the previous closed check, and which
    # partners score a dimension 2 or lower. Empty: no alert.
    alert = models.JSONField(_("alert"), default=dict, blank=True, editable=False)
    alert_notified_at = models.DateTimeField(_("alert notified at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CourseCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "pk"]
        verbose_name = _("course check")
        verbose_name_plural = _("course checks")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "opens_on"],
                name="course_check_once_per_window",
                violation_error_message=_("The chain already has a course check for this period."),
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gt=models.F("opens_on")),
                name="course_check_closes_after_opening",
                violation_error_message=_("A course check closes after it opens."),
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_on"], name="course_check_status_closes")]

    def __str__(self) -> str:
        day = date_format(self.opens_on, "DATE_FORMAT") if self.opens_on else ""
        return gettext("Course check %(chain)s from %(day)s") % {"chain": self.chain, "day": day}

    def save(self, *args, **kwargs) -> None:
        if self.closes_on is None and self.opens_on is not None:
            self.closes_on = self.opens_on + timedelta(days=DEFAULT_OPEN_DAYS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("governance:course_check_detail", args=[self.chain.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == CourseCheckStatus.OPEN

    def previous_closed(self) -> CourseCheck | None:
        """The chain's last closed check before this one (for trends and the alert)."""
        return CourseCheck.objects.previous_closed(self).first()


class CourseCheckStatement(models.Model):
    course_check = models.ForeignKey(
        CourseCheck, on_delete=models.CASCADE, related_name="statements", verbose_name=_("course check")
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension)
    position = models.PositiveSmallIntegerField(_("position"), choices=[(1, "1"), (2, "2")])
    text = models.CharField(_("statement"), max_length=300)

    class Meta:
        ordering = ["course_check", "dimension", "position"]
        verbose_name = _("course check statement")
        verbose_name_plural = _("course check statements")
        constraints = [
            models.UniqueConstraint(
                fields=["course_check", "dimension", "position"],
                name="course_check_statement_once",
                violation_error_message=_("This course check already has this statement."),
            ),
            models.CheckConstraint(
                condition=models.Q(position__in=[1, 2]),
                name="course_check_statement_position",
                violation_error_message=_("A dimension has two statements."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class CourseCheckRespondentQuerySet(models.QuerySet):
    def answered(self) -> CourseCheckRespondentQuerySet:
        return self.filter(answered_at__isnull=False)

    def waiting(self) -> CourseCheckRespondentQuerySet:
        return self.filter(answered_at__isnull=True)


class CourseCheckRespondent(models.Model):
    """Someone asked to answer a check, for the partner they represented when it opened."""

    course_check = models.ForeignKey(
        CourseCheck, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("course check")
    )
    # SET_NULL: deleting a person keeps their answer in the aggregates, anonymised.
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_check_invitations",
        verbose_name=_("person"),
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="course_check_respondents", verbose_name=_("represents")
    )
    asked_at = models.DateTimeField(_("asked at"), db_default=Now(), editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    open_answer = models.TextField(_("what should change?"), blank=True)

    objects = CourseCheckRespondentQuerySet.as_manager()

    class Meta:
        ordering = ["course_check", "partnership", "pk"]
        verbose_name = _("course check respondent")
        verbose_name_plural = _("course check respondents")
        constraints = [
            models.UniqueConstraint(
                fields=["course_check", "person"],
                name="course_check_respondent_once",
                violation_error_message=_("This person is already asked for this course check."),
            ),
        ]
        indexes = [
            # My work: the open checks a person has not answered yet.
            models.Index(
                fields=["person", "course_check"],
                name="course_check_waiting",
                condition=models.Q(answered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Respondent for %(partner)s") % {"partner": self.partnership_id}


class CourseCheckScore(models.Model):
    respondent = models.ForeignKey(
        CourseCheckRespondent, on_delete=models.CASCADE, related_name="scores", verbose_name=_("respondent")
    )
    statement = models.ForeignKey(
        CourseCheckStatement, on_delete=models.CASCADE, related_name="scores", verbose_name=_("statement")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["respondent", "statement"]
        verbose_name = _("course check score")
        verbose_name_plural = _("course check scores")
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "statement"],
                name="course_check_score_once",
                violation_error_message=_("This statement is already answered."),
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="course_check_score_1_to_5",
                violation_error_message=_("A score is 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.score)
