# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 10001 tracker
COPY pyproject.toml README.md ./
COPY tracker ./tracker
COPY ingest ./ingest
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates ./templates

# collectstatic needs settings that load; the real key comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=build-only STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R tracker /app/var

USER tracker
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
