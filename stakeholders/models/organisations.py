from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """Organisations that are partners in a chain the user can see, plus the user's own."""
        from .chains import Chain, Partnership  # chains.py imports this module

        if not user.is_authenticated:
            return self.none()
        if user.is_active and (user.is_superuser or user.is_staff):
            return self
        in_my_chains = Partnership.objects.filter(chain__in=Chain.objects.visible_to(user)).values("organisation_id")
        return self.filter(models.Q(pk__in=in_my_chains) | models.Q(pk=user.organisation_id))


class Organisation(models.Model):
    """A public body or other party; shared by every chain it takes part in."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique_ci",
                violation_error_message=_("An organisation with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UnitQuerySet":
        return self.filter(organisation__in=Organisation.objects.visible_to(user))

    def for_organisation(self, organisation) -> "UnitQuerySet":
        return self.filter(organisation=organisation)

    def as_trees(self) -> dict[int, list["UnitNode"]]:
        """The units as trees per organisation id, built from this one query, siblings by name."""
        children: dict[int | None, list[Unit]] = defaultdict(list)
        units = list(self.order_by("name"))
        for unit in units:
            children[unit.parent_id].append(unit)

        def grow(unit: "Unit", seen: frozenset[int]) -> UnitNode:
            # `seen` guards against a cycle that slipped into the data some other way.
            return UnitNode(unit, [grow(c, seen | {unit.pk}) for c in children[unit.pk] if c.pk not in seen])

        trees: dict[int, list[UnitNode]] = defaultdict(list)
        for root in children[None]:
            trees[root.organisation_id].append(grow(root, frozenset()))
        return trees


@dataclass
class UnitNode:
    unit: "Unit"
    children: list["UnitNode"] = field(default_factory=list)


class Unit(models.Model):
    """A part of an organisation (OM → Parket Amsterdam); units form a tree per organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="units", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"],
                condition=models.Q(parent__isnull=False),
                name="unit_name_unique_per_parent",
                violation_error_message=_("This organisation already has a unit with this name here."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(parent__isnull=True),
                name="unit_name_unique_at_top",
                violation_error_message=_("This organisation already has a unit with this name here."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """Ids of every unit below this one (one query per level)."""
        found: set[int] = set()
        level = {self.pk}
        while level:
            level = set(Unit.objects.filter(parent__in=level).values_list("pk", flat=True)) - found
            found |= level
        return found

    def ancestors(self) -> list["Unit"]:
        """The chain of parents, nearest first; stops at a cycle rather than looping forever."""
        seen: set[int] = set()
        result: list[Unit] = []
        node = self.parent
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            result.append(node)
            node = node.parent
        return result

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.organisation_id != self.organisation_id:
            raise ValidationError({"parent": _("A unit can only be part of a unit of the same organisation.")})
        if self.pk and (self.parent_id == self.pk or any(a.pk == self.pk for a in self.parent.ancestors())):
            raise ValidationError(
                {"parent": _("This would make the unit part of itself: choose a unit outside its own branch.")}
            )
