"""A small starting catalogue of skills; district command edits it in the admin."""

from django.db import migrations

SKILLS = ("急救", "理发", "家电维修", "法律咨询", "心理疏导", "摄影", "电脑与手机教学", "陪伴老人", "文艺演出", "外语")


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Skill = apps.get_model("volunteers", "Skill")
    for name in SKILLS:
        Skill.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
