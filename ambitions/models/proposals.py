"""The life of an indicator proposal (issue 15, consent that cannot stall): each round's text and
a timeline of every step.

A proposed version is answered in rounds. Amending after an objection opens a new round with a
changed definition; ``ProposalRound`` keeps the text each round was asked about (the definition
fields, as they were), so earlier answers show "to the previous text". ``ProposalEvent`` is the
timeline the proposal page and the API show: asked, reminded, answered, deadline passed, silence
recorded, amended, withdrawn, put on a body's agenda, decided by the body, adopted, stopped.
Both are written by ambitions/services/consensus.py (and, for the agenda, by governance through
``record_event``), never edited afterwards.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Partnership, Person, SilenceRule

from .definitions import IndicatorVersion


class ProposalRound(models.Model):
    """One round of answers to a proposed version: the definition asked about and its deadline."""

    version = models.ForeignKey(IndicatorVersion, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    # The definition fields (DEFINITION_FIELDS) and reporting units as they were in this round,
    # JSON-ready (dates and decimals as strings).
    definition = models.JSONField(_("text of this round"), default=dict)
    answer_by = models.DateField(_("answer by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("opened by")
    )
    note = models.TextField(_("what changed"), blank=True)
    # The chain's rule for silence when this round was asked: the partners were told it then, so a
    # later change of the chain's setting does not change what their silence means in this round.
    silence_rule = models.CharField(
        _("silence after the deadline"), max_length=12, choices=SilenceRule, default=SilenceRule.NOT_CONSENT
    )

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("proposal round")
        verbose_name_plural = _("proposal rounds")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="proposal_round_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.number}"

    @property
    def silence_meaning(self) -> str:
        return SilenceRule(self.silence_rule).meaning


class EventKind(models.TextChoices):
    ASKED = "asked", _("Consent asked")
    REMINDED = "reminded", _("Reminder sent")
    ANSWERED = "answered", _("Answered")
    DEADLINE_PASSED = "deadline_passed", _("Answer deadline passed")
    SILENCE = "silence", _("Silence recorded as consent")
    AMENDED = "amended", _("Amended: new round")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ON_AGENDA = "on_agenda", _("Put on the agenda of a body")
    BODY_DECIDED = "body_decided", _("Decided by the body")
    ADOPTED = "adopted", _("Adopted")
    STOPPED = "stopped", _("Stopped by an objection")


class ProposalEvent(models.Model):
    """One step in a proposal's timeline. ``person`` acted (for ``for_person`` when a stand-in
    answered), ``partnership`` is the partner concerned, ``note`` a short human text (a reason, the
    body's decision), ``url`` where the step lives (an agenda item, a decision)."""

    version = models.ForeignKey(IndicatorVersion, on_delete=models.CASCADE, related_name="events")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    kind = models.CharField(_("step"), max_length=20, choices=EventKind)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    for_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("for")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("partner")
    )
    note = models.TextField(_("note"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "at", "pk"]
        verbose_name = _("proposal step")
        verbose_name_plural = _("proposal steps")
        indexes = [models.Index(fields=["version", "at"], name="proposal_event_timeline")]

    def __str__(self) -> str:
        return f"{self.version_id} · {self.kind} · {self.at:%Y-%m-%d}"

    @property
    def kind_label(self) -> str:
        return str(EventKind(self.kind).label)
