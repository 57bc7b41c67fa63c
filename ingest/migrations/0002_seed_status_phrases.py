"""The status phrases the tracker starts with; editors extend and correct them in the admin.

English, plus Arabic and Hebrew forms as news reports write them (matching ignores case and diacritics, and
lets the first word carry a clitic prefix, so "الإغلاق" and "ונסגר" are covered by "إغلاق" and "נסגר").
Arabic "فتح" alone is left out on purpose: it is also the name of Fatah.
"""

from django.db import migrations

# phrase, language, kind, proposed status, traffic ("" = read from the sentence)
PHRASES = [
    # English: closed
    ("closed", "en", "status", "closed", ""),
    ("closes", "en", "status", "closed", ""),
    ("closure", "en", "status", "closed", ""),
    ("shut", "en", "status", "closed", ""),
    ("shuts", "en", "status", "closed", ""),
    ("shut down", "en", "status", "closed", ""),
    ("shuttered", "en", "status", "closed", ""),
    ("sealed", "en", "status", "closed", ""),
    ("sealed off", "en", "status", "closed", ""),
    ("blocked", "en", "status", "closed", ""),
    ("halted", "en", "status", "closed", ""),
    ("suspended", "en", "status", "closed", ""),
    ("no aid entered", "en", "status", "closed", "aid"),
    ("stopped aid", "en", "status", "closed", "aid"),
    # English: open
    ("open", "en", "status", "open", ""),
    ("opens", "en", "status", "open", ""),
    ("opened", "en", "status", "open", ""),
    ("reopen", "en", "status", "open", ""),
    ("reopens", "en", "status", "open", ""),
    ("reopened", "en", "status", "open", ""),
    ("reopening", "en", "status", "open", ""),
    ("open for evacuees", "en", "status", "open", "people"),
    ("opened for evacuees", "en", "status", "open", "people"),
    ("allowed aid trucks through", "en", "status", "open", "aid"),
    ("aid trucks entered", "en", "status", "open", "aid"),
    ("aid trucks crossed", "en", "status", "open", "aid"),
    ("let aid through", "en", "status", "open", "aid"),
    ("resumed operations", "en", "status", "open", ""),
    # English: restricted
    ("partially open", "en", "status", "restricted", ""),
    ("partially opened", "en", "status", "restricted", ""),
    ("partially reopened", "en", "status", "restricted", ""),
    ("partly open", "en", "status", "restricted", ""),
    ("partly reopened", "en", "status", "restricted", ""),
    ("restricted", "en", "status", "restricted", ""),
    ("open only to", "en", "status", "restricted", ""),
    ("open only for", "en", "status", "restricted", ""),
    # English: look like statuses, are not
    ("opened fire", "en", "not_status", "", ""),
    ("open fire", "en", "not_status", "", ""),
    ("opens fire", "en", "not_status", "", ""),
    ("open letter", "en", "not_status", "", ""),
    ("open question", "en", "not_status", "", ""),
    ("opened an investigation", "en", "not_status", "", ""),
    ("closed door", "en", "not_status", "", ""),
    ("closed doors", "en", "not_status", "", ""),
    # Arabic
    ("إغلاق", "ar", "status", "closed", ""),  # closure
    ("أغلق", "ar", "status", "closed", ""),  # closed (verb)
    ("أغلقت", "ar", "status", "closed", ""),  # closed (verb, feminine subject)
    ("مغلق", "ar", "status", "closed", ""),  # closed (adjective)
    ("مغلقا", "ar", "status", "closed", ""),
    ("مغلقة", "ar", "status", "closed", ""),
    ("إعادة فتح", "ar", "status", "open", ""),  # reopening
    ("أعيد فتح", "ar", "status", "open", ""),  # was reopened
    ("تم فتح", "ar", "status", "open", ""),  # was opened
    ("فتحت", "ar", "status", "open", ""),  # opened (feminine subject: Egypt, the authorities)
    ("مفتوح", "ar", "status", "open", ""),  # open (adjective)
    ("مفتوحا", "ar", "status", "open", ""),
    ("فتح جزئي", "ar", "status", "restricted", ""),  # partial opening
    ("مفتوح جزئيا", "ar", "status", "restricted", ""),  # partially open
    ("دخول المساعدات", "ar", "status", "open", "aid"),  # entry of aid
    # Hebrew
    ("סגור", "he", "status", "closed", ""),  # closed
    ("סגורה", "he", "status", "closed", ""),
    ("נסגר", "he", "status", "closed", ""),  # was closed
    ("נסגרה", "he", "status", "closed", ""),
    ("סגירת", "he", "status", "closed", ""),  # the closure of
    ("פתוח", "he", "status", "open", ""),  # open
    ("פתוחה", "he", "status", "open", ""),
    ("נפתח", "he", "status", "open", ""),  # was opened
    ("נפתחה", "he", "status", "open", ""),
    ("פתיחת", "he", "status", "open", ""),  # the opening of
    ("פתוח חלקית", "he", "status", "restricted", ""),  # partially open
    ("נפתח חלקית", "he", "status", "restricted", ""),  # was partially opened
]


def seed(apps, schema_editor):
    from ingest.link import phrase_key

    StatusPhrase = apps.get_model("ingest", "StatusPhrase")
    for phrase, language, kind, status, traffic in PHRASES:
        StatusPhrase.objects.get_or_create(
            key=phrase_key(phrase),
            defaults={
                "phrase": phrase,
                "language": language,
                "kind": kind,
                "proposed_status": status,
                "traffic": traffic,
                "note": "Seeded with the tracker.",
            },
        )


def unseed(apps, schema_editor):
    from ingest.link import phrase_key

    StatusPhrase = apps.get_model("ingest", "StatusPhrase")
    StatusPhrase.objects.filter(key__in=[phrase_key(p[0]) for p in PHRASES], note="Seeded with the tracker.").delete()


class Migration(migrations.Migration):
    dependencies = [("ingest", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
