# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 10001 tracker
COPY pyproject.toml README.md ./
COPY tracker ./tracker
COPY ingest ./ingest
COPY alerts ./alerts
RUN pip install --no-cache-dir .
COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
# The Arabic and French catalogues: compiled here (the .mo files are not committed), with gettext removed after.
# locale-vendor: third-party apps' missing languages (django-celery-beat's Arabic); compilemessages reads LOCALE_PATHS.
COPY locale ./locale
COPY locale-vendor ./locale-vendor
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && DEBUG=0 SECRET_KEY=build-only python manage.py compilemessages --locale ar --locale fr \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

# collectstatic needs settings that load; the real key comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=build-only STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R tracker /app/var

USER tracker
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
