"""Key rotation: encrypt under A, rotate to B,A, drop A, and everything still decrypts."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from linli.accounts.models import User
from linli.core.choices import AuditAction
from linli.core.crypto import EncryptedTextField
from linli.core.keys import generate_fernet_key
from linli.core.models import AuditEvent
from linli.core.rotation import encrypted_fields
from linli.orgs.models import Unit
from linli.places.models import Place


def raw(model, pk, column) -> str:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_every_encrypted_field_is_found_by_introspection():
    from django.apps import apps

    expected = {
        (m._meta.label, f.attname)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
    }
    found = {(m._meta.label, name) for m, names in encrypted_fields() for name in names}
    assert found == expected
    assert {"accounts.User", "places.Place", "orgs.Unit"} <= {label for label, _ in found}


@pytest.mark.django_db
def test_rotate_then_drop_the_old_key(world):
    key_a, key_b = generate_fernet_key(), generate_fernet_key()
    resident = next(u for u in world.users.values() if u.phone)
    place = world.place("110101001001001")
    unit = world.units["street_a"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        # Written under A (the world itself was written under the suite's key, which rotation also moves).
        User.objects.filter(pk=resident.pk).update(phone="13800009999")
        Place.objects.filter(pk=place.pk).update(contact_phone="01065550001")
        Unit.objects.filter(pk=unit.pk).update(contact_phone="01065550002")
    Fernet(key_a).decrypt(raw(Place, place.pk, "contact_phone").encode())

    from django.conf import settings

    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b, key_a, *settings.FIELD_ENCRYPTION_KEYS]):
        out = StringIO()
        call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
        assert "accounts.User" in out.getvalue()
        again = StringIO()
        call_command("rotate_field_keys", stdout=again)  # idempotent: nothing left to move
        assert "0 values now under the newest" in again.getvalue()

    for model, pk, column in [
        (User, resident.pk, "phone"),
        (Place, place.pk, "contact_phone"),
        (Unit, unit.pk, "contact_phone"),
    ]:
        token = raw(model, pk, column).encode()
        Fernet(key_b).decrypt(token)
        with pytest.raises(InvalidToken):
            Fernet(key_a).decrypt(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b]):
        assert User.objects.get(pk=resident.pk).phone == "13800009999"
        assert Place.objects.get(pk=place.pk).contact_phone == "01065550001"
        assert Unit.objects.get(pk=unit.pk).contact_phone == "01065550002"
        assert all(u.phone is not None for u in User.objects.all())  # every row readable without A

    events = AuditEvent.objects.filter(action=AuditAction.FIELD_KEYS_ROTATED).order_by("id")
    assert events.count() == 2
    first = events[0].data
    assert first["rotated"]["places.Place"] >= 1 and first["rotated"]["accounts.User"] >= 1
    assert sum(events[1].data["rotated"].values()) == 0
    assert key_a not in str(first) and key_b not in str(first)


@pytest.mark.django_db
def test_a_value_no_key_opens_stops_the_rotation_with_a_clear_error(world):
    place = world.place("110101001001001")
    with override_settings(FIELD_ENCRYPTION_KEYS=[generate_fernet_key()]):
        Place.objects.filter(pk=place.pk).update(contact_phone="01065550001")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[generate_fernet_key()]),
        pytest.raises(CommandError, match="add the key"),
    ):
        call_command("rotate_field_keys", stdout=StringIO())
    assert not AuditEvent.objects.filter(action=AuditAction.FIELD_KEYS_ROTATED).exists()
