"""Secrecy checked on the schema itself: the ballot table holds no column that could re-link a ballot to a
user, a person, a roll entry or a moment — read from the live database, not from the model's declaration."""

from __future__ import annotations

import pytest
from django.db import connection, models

from linli.participation.models_votes import Ballot

pytestmark = pytest.mark.django_db

LINKING_WORDS = ("user", "person", "owner", "entry", "roll", "voter", "caster", "proxy", "time", "date", "_at", "_on")


def test_the_ballot_table_links_to_no_one_and_no_time() -> None:
    with connection.cursor() as cursor:
        columns = {c.name: c for c in connection.introspection.get_table_description(cursor, "participation_ballot")}
        relations = connection.introspection.get_relations(cursor, "participation_ballot")
    assert set(columns) == {"receipt", "vote_id", "area", "choices"}
    # Django 6: {column: (referenced column, referenced table, on_delete)}.
    targets = {column: relation[1] for column, relation in relations.items()}
    assert targets == {"vote_id": "participation_vote"}
    for name in columns:
        assert not any(word in name for word in LINKING_WORDS), name
    for column, target in targets.items():
        assert target not in {"accounts_user", "people_person", "participation_rollentry"}, column


def test_the_ballot_model_has_no_time_and_no_link_but_its_vote() -> None:
    for field in Ballot._meta.get_fields():
        assert not isinstance(field, models.DateTimeField | models.DateField | models.TimeField), field.name
        if isinstance(field, models.ForeignKey | models.OneToOneField | models.ManyToManyField):
            assert field.name == "vote" and field.related_model._meta.label_lower == "participation.vote"
    assert Ballot._meta.pk.name == "receipt"  # a random key: its order re-links nothing
