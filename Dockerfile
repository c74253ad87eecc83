# Buron in a container: gunicorn on :8000 (the same image runs the worker, see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pango (and harfbuzz, fonts) for WeasyPrint's PDFs; postgresql-client for manage.py backup.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /srv/buron buron
WORKDIR /srv/buron/app

COPY pyproject.toml README.md ./
COPY buron ./buron
COPY config ./config
COPY locale ./locale
COPY static ./static
COPY templates ./templates
COPY manage.py ./
# Editable: templates, translations and data files stay where the code finds them.
RUN pip install -e . \
    && SECRET_KEY=collectstatic-only DEBUG=0 STATIC_ROOT=/srv/buron/staticfiles \
       python manage.py collectstatic --noinput \
    && mkdir -p /srv/buron/media /srv/buron/backups \
    && chown -R buron:buron /srv/buron/media /srv/buron/backups

ENV STATIC_ROOT=/srv/buron/staticfiles \
    MEDIA_ROOT=/srv/buron/media \
    LOG_FORMAT=json \
    LOG_LEVEL=INFO

USER buron
EXPOSE 8000
# Asks with the first allowed host name (Django refuses other Host headers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h if h != '*' else 'localhost'}), timeout=4)"
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
