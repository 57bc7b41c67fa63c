# Read by gunicorn from the directory it starts in (the image's /app): settings every deployment of the tracker wants.
# Access lines with feed keys and unsubscribe tokens masked (tracker/access_log.py; SECURITY.md "Alerts").
logger_class = "tracker.access_log.MaskedAccessLogger"
