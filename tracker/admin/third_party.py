"""Words another app shows on the tracker's admin pages that its own catalogues do not translate into Arabic or
French, marked here so that our catalogue carries them (Django reads LOCALE_PATHS before any app's catalogue).

django-simple-history heads its history pages' last column "Changes", which its French and Arabic catalogues lack.
(django-celery-beat's missing Arabic is kept apart, in locale-vendor/: see settings.LOCALE_PATHS.)
"""

from django.utils.translation import gettext_noop

UNTRANSLATED_ELSEWHERE = (gettext_noop("Changes"),)
