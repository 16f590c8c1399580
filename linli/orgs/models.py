from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.querysets import RestrictedQuerySet

from .choices import CaseType, DepartmentType, MatterClass, OwnerLevel, UnitKind
from .deadlines import validate_spec


class UnitQuerySet(RestrictedQuerySet["Unit"]):
    pass


class Unit(models.Model):
    """An organisation that receives cases: a department, a street office, a community committee…"""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices, db_index=True)
    department_type = models.CharField(
        _("department type"), max_length=32, choices=DepartmentType.choices, blank=True, db_index=True
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    jurisdiction = models.ManyToManyField("places.Place", verbose_name=_("jurisdiction"), related_name="units")
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class MatterQuerySet(RestrictedQuerySet["Matter"]):
    pass


class Matter(models.Model):
    """One line of the responsibility list (权责清单)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, unique=True)
    case_type = models.CharField(_("case type"), max_length=8, choices=CaseType.choices, default=CaseType.REQUEST)
    major_class = models.CharField(_("major class"), max_length=64, blank=True)
    minor_class = models.CharField(_("minor class"), max_length=64, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=MatterClass.choices, db_index=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    owner_level = models.CharField(_("owning level"), max_length=16, choices=OwnerLevel.choices)
    department_type = models.CharField(_("department type"), max_length=32, choices=DepartmentType.choices)
    contact_normal = models.CharField(_("contact deadline"), max_length=8, default="1wd", validators=[validate_spec])
    contact_urgent = models.CharField(
        _("contact deadline (urgent)"), max_length=8, default="2h", validators=[validate_spec]
    )
    handle_normal = models.CharField(_("handling deadline"), max_length=8, default="5wd", validators=[validate_spec])
    handle_urgent = models.CharField(
        _("handling deadline (urgent)"), max_length=8, default="1wd", validators=[validate_spec]
    )
    is_complex = models.BooleanField(_("complex"), default=False)
    is_utility = models.BooleanField(_("water, power, gas or heating"), default=False)
    is_disputed = models.BooleanField(
        _("disputed"), default=False, help_text=_("Disputed matters fall to the street until settled.")
    )
    source = models.CharField(_("source"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class MatterAdmission(models.Model):
    """准入: a matter pushed down to communities, admitted only with its people, powers and funds."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="admissions")
    approved_by = models.CharField(_("approved by"), max_length=128)
    approved_on = models.DateField(_("approved on"))
    document = models.CharField(_("approval document"), max_length=128, blank=True)
    people = models.TextField(_("people that go with it"))
    powers = models.TextField(_("powers that go with it"))
    funds = models.TextField(_("funds that go with it"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("admission record")
        verbose_name_plural = _("admission records")
        ordering = ["-approved_on"]

    def __str__(self) -> str:
        return f"{self.matter.name} · {self.approved_by} · {self.approved_on}"
