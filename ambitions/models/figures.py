"""Figures (meetwaarden) as partners report them, their history, and the per-period approval.

A figure is one value for indicator × unit × period. Who may change it, and whether it is late or
locked, depends on the organisation's *PeriodSubmission* for that period: open → submitted →
approved (locked). That status lives on the submission only, so approving a period is one row
and a figure's status can never disagree with its organisation's.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Organisation, Person, Unit

from .definitions import Indicator, IndicatorVersion

# Wide enough for national sums of amounts in euros, exact for shares (no float rounding).
VALUE = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}


class FigureSource(models.TextChoices):
    FORM = "form", _("Entry form")
    IMPORT = "import", _("Import")
    API = "api", _("API")


# "A figure holds data": the one definition, in Python (holds_data, Figure.has_data), as a
# filter (HAS_DATA, FigureQuerySet.with_data) and in the set-based SQL of the roll-ups and the
# bulk upsert (has_data_sql). A ratio's value is computed from both parts, so either test reads
# the same on every figure the portal writes; tests/ambitions/test_has_data.py runs all three on
# every combination of empty and filled columns.
HAS_DATA = Q(value__isnull=False) | Q(numerator__isnull=False, denominator__isnull=False)


def holds_data(value, numerator, denominator) -> bool:
    return value is not None or (numerator is not None and denominator is not None)


def has_data_sql(alias: str = "") -> str:
    """HAS_DATA as an SQL condition on a figure row (of the table called ``alias``)."""
    prefix = f"{alias}." if alias else ""
    return f"({prefix}value IS NOT NULL OR ({prefix}numerator IS NOT NULL AND {prefix}denominator IS NOT NULL))"


class FigureQuerySet(models.QuerySet):
    def visible_to(self, user) -> FigureQuerySet:
        return self.filter(indicator__ambition__chain__in=Chain.objects.visible_to(user))

    def with_data(self) -> FigureQuerySet:
        """Figures that hold a value (Figure.has_data, in SQL)."""
        return self.filter(HAS_DATA)

    def locked_by_approval(self) -> FigureQuerySet:
        """The figures an approval of their period locks (Figure.locked_by_approval, in SQL)."""
        return self.with_data().filter(awaiting_approval=False)


class Figure(models.Model):
    # Fewer indexes, cheaper writes: every index is written for every new figure, and for every
    # changed one unless the update is HOT (PostgreSQL rewrites the row in place on its page, touching
    # no index, when no indexed column changes and the page has room: see FIGURE_FILLFACTOR in
    # migration 0002). So no single-column index where a composite one starts with the column
    # (indicator, organisation), and none for the unit and version: they are only looked up when a
    # unit or version is deleted (PROTECT), which the portal never does and the admin rarely, and
    # may scan. Deleting a person (the admin; a right to be forgotten) sets entered_by to NULL on
    # their figures and history, though, so entered_by and FigureChange.changed_by have an index:
    # without it, one deletion scans both tables (millions of rows). The cost: an insert writes one
    # index more, and a correction by someone else than the last one to enter the figure is no
    # longer a HOT update (docs/benchmarks.md).
    #
    # No foreign key constraints in the database either: PostgreSQL checks each one once per written
    # row at commit, about 0.45 s per 100,000 rows per key — 2.3 s of a 6 s bulk upsert of 100,000
    # new figures with all five. Every writer looks the references up first (services/entry.py: the
    # grid's cell or load_context; services/bulk.py: the indicators and units the person can see, the
    # definitions in force, the unit's organisation), and Django applies CASCADE, PROTECT and
    # SET_NULL when deleting. The portal deletes no indicators, units or versions; its tests check
    # that a unit or version with figures cannot be deleted.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="figures", db_index=False, db_constraint=False
    )
    version = models.ForeignKey(
        IndicatorVersion, on_delete=models.PROTECT, related_name="figures", db_index=False, db_constraint=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="figures", db_index=False, db_constraint=False
    )
    # Denormalised from the unit: aggregates and locks are per organisation.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="figures", db_index=False, db_constraint=False
    )
    period = models.DateField(_("period"))
    value = models.DecimalField(_("value"), **VALUE)
    numerator = models.DecimalField(_("numerator"), **VALUE)
    denominator = models.DecimalField(_("denominator"), **VALUE)
    comment = models.TextField(_("comment"), blank=True)
    follow_up = models.BooleanField(_("needs follow-up"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=FigureSource, default=FigureSource.FORM)
    is_late = models.BooleanField(_("late"), default=False)
    # Delivered late, after its organisation's period was approved, and not yet approved itself
    # (the submission rule in docs/architecture.md). A database default, as the bulk upsert's
    # INSERT on PostgreSQL names its columns.
    awaiting_approval = models.BooleanField(_("awaiting approval"), default=False, db_default=False)
    # Optimistic concurrency: a save names the revision it started from; a different one is a conflict.
    revision = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="figure_one_per_cell"),
        ]
        indexes = [
            # Recomputing an organisation's aggregate and the unit × period tables.
            models.Index(fields=["indicator", "period", "organisation"], name="figure_org_rollup"),
            models.Index(fields=["organisation", "period"], name="figure_org_period"),
            # Deleting a person (SET_NULL) finds their figures without scanning the table.
            models.Index(fields=["entered_by"], name="figure_entered_by"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit} · {self.period:%Y-%m}"

    @property
    def has_data(self) -> bool:
        return holds_data(self.value, self.numerator, self.denominator)

    @property
    def locked_by_approval(self) -> bool:
        """Whether approving the period locks this figure: an approval locks the figures that are
        in, not the empty cells; a late delivery into one of those stays open until the lead
        approves it (services/submissions.approve_late)."""
        return self.has_data and not self.awaiting_approval


def locks_cell(submission_status: str, figure: Figure | None) -> bool:
    """The submission rule for one cell: locked when its period is approved and it holds an
    approved figure. (In SQL: FigureQuerySet.locked_by_approval.)"""
    return submission_status == SubmissionStatus.APPROVED and figure is not None and figure.locked_by_approval


class FigureChange(models.Model):
    """The history of one cell: every saved state, who saved it and how."""

    # Append-only, one row per save: only the indexes it needs (figure_change_unique starts with figure),
    # and no foreign key constraint in the database. Its check at commit would lock every written
    # figure's row a second time (about 0.8 s per 100,000 figures in a bulk upsert). Each history row
    # is written with its figure (services/entry.py, services/bulk.py: in the same statement) and
    # deleted with it by Django's cascade.
    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="changes", db_index=False, db_constraint=False
    )
    revision = models.PositiveIntegerField()
    value = models.DecimalField(**VALUE)
    numerator = models.DecimalField(**VALUE)
    denominator = models.DecimalField(**VALUE)
    comment = models.TextField(blank=True)
    follow_up = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=FigureSource)
    # No constraint either, for the same reason as Figure's bookkeeping keys.
    changed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # The file import that wrote this state (its file name and SHA-256 are on the job); never
    # deleted, so no constraint or index either.
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["figure", "-revision"]
        constraints = [models.UniqueConstraint(fields=["figure", "revision"], name="figure_change_unique")]
        # Deleting a person (SET_NULL) finds their history rows without scanning the table.
        indexes = [models.Index(fields=["changed_by"], name="figure_change_changed_by")]

    def __str__(self) -> str:
        return f"{self.figure_id} r{self.revision}"

    @classmethod
    def of(cls, figure: Figure, source: str, person, import_job_id: int | None = None) -> FigureChange:
        """The history row for ``figure`` as just saved (not yet written)."""
        return cls(
            figure_id=figure.pk,
            revision=figure.revision,
            value=figure.value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            comment=figure.comment,
            follow_up=figure.follow_up,
            source=source,
            changed_by=person,
            import_job_id=import_job_id,
        )


class SubmissionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class PeriodSubmission(models.Model):
    """One organisation's figures for one period in one chain: submitted, then approved (locked)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="period_submissions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="period_submissions")
    frequency = models.CharField(max_length=10)
    period = models.DateField(_("period"))
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus, default=SubmissionStatus.OPEN)
    submitted_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    # Submitting or approving with figures missing needs a reason (services/submissions.py); how
    # many cells were empty at that step, and the reason given, as the history shows them.
    submitted_missing = models.PositiveIntegerField(_("figures missing when submitted"), default=0)
    submitted_missing_reason = models.TextField(_("reason for submitting with figures missing"), blank=True)
    approved_missing = models.PositiveIntegerField(_("figures missing when approved"), default=0)
    approved_missing_reason = models.TextField(_("reason for approving with figures missing"), blank=True)
    # The last approval of figures delivered late, after the period was approved.
    late_approved_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    late_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("period submission")
        verbose_name_plural = _("period submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "organisation", "frequency", "period"], name="submission_one_per_org_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} · {self.period:%Y-%m} · {self.status}"
