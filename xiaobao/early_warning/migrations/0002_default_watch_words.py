"""The default watch-word list (editable afterwards on the watch-word page or through the API)."""

from django.db import migrations

DEFAULT_WATCH_WORDS = [
    "媒体",
    "曝光",
    "起诉",
    "12378",
    "集体",
    "上访",
    "银保监",
    "金融监管总局",
    "报警",
    "律师",
    "记者",
    "微博",
    "抖音",
]


def add_words(apps, schema_editor):
    WatchWord = apps.get_model("early_warning", "WatchWord")
    for word in DEFAULT_WATCH_WORDS:
        WatchWord.objects.get_or_create(word=word)


def remove_words(apps, schema_editor):
    apps.get_model("early_warning", "WatchWord").objects.filter(word__in=DEFAULT_WATCH_WORDS).delete()


class Migration(migrations.Migration):
    dependencies = [("early_warning", "0001_initial")]

    operations = [migrations.RunPython(add_words, remove_words)]
