from __future__ import annotations

import pytest
from django.db import connection

from linli.core import audit
from linli.core.audit import verify_chain
from linli.core.choices import AuditAction
from linli.core.crypto import decrypt, digest, encrypt
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditEvent
from linli.places.models import Place


def test_encrypt_round_trip_and_digest_is_stable():
    token = encrypt("13812345678")
    assert token != "13812345678"
    assert decrypt(token) == "13812345678"
    assert digest("13812345678") == digest("13812345678") != digest("13812345679")


@pytest.mark.django_db
def test_phone_is_ciphertext_in_the_database(world):
    place = world.place("110101001001001")
    Place.objects.filter(pk=place.pk).update(contact_phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM places_place WHERE id = %s", [place.pk])
        raw = cursor.fetchone()[0]
    assert "13912345678" not in raw
    assert Place.objects.get(pk=place.pk).contact_phone == "13912345678"


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("") == ""


@pytest.mark.django_db
def test_audit_chain_detects_tampering():
    first = audit.record(AuditAction.PLACE_CREATED, target_type="x", target_id="1", data={"a": 1})
    second = audit.record(AuditAction.PLACE_UPDATED, target_type="x", target_id="1", data={"b": "变更"})
    audit.record(AuditAction.PLACE_UPDATED, target_type="x", target_id="2")
    assert second.prev_hash == first.hash
    assert verify_chain() is None
    AuditEvent.objects.filter(pk=second.pk).update(data={"b": "forged"})
    assert verify_chain() == second.pk


@pytest.mark.django_db
def test_audit_events_are_append_only():
    event = audit.record(AuditAction.PLACE_CREATED, target_type="x", target_id="1")
    event.target_repr = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db
def test_deleting_an_event_breaks_the_chain():
    audit.record(AuditAction.PLACE_CREATED, target_type="x", target_id="1")
    middle = audit.record(AuditAction.PLACE_CREATED, target_type="x", target_id="2")
    last = audit.record(AuditAction.PLACE_CREATED, target_type="x", target_id="3")
    AuditEvent.objects.filter(pk=middle.pk)._raw_delete(AuditEvent.objects.db)
    assert verify_chain() == last.pk
