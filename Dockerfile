# Rentan: one image for the web process (gunicorn + whitenoise), the Celery worker and Celery beat.
# Build:  docker build -t rentan .        Run everything: see docker-compose.yml and .env.example.
FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    WEB_CONCURRENCY=3 \
    XDG_CACHE_HOME=/tmp/.cache \
    PATH="/app/.venv/bin:${PATH}"

# Shared libraries WeasyPrint loads at run time (Pango pulls in HarfBuzz, fontconfig and GObject) and a font
# for the PDFs. No curl: the healthchecks in docker-compose.yml use the image's own Python and celery. (Fontconfig
# keeps its cache under XDG_CACHE_HOME, set above to a path the unprivileged user can write.)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv==${UV_VERSION}"

# The app runs as this user; it can write only to /app/var (private media, the beat schedule).
RUN groupadd --system --gid 1000 rentan \
    && useradd --system --uid 1000 --gid rentan --home-dir /app --no-create-home --shell /usr/sbin/nologin rentan

WORKDIR /app

# Dependencies first, from the lock only, so this layer is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected (and compressed, hashed by whitenoise's manifest storage) into /app/staticfiles at
# build time. The secret and hosts here are throwaway values that exist only for this one RUN step.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/private /app/var/beat \
    && chown -R rentan:rentan /app/var

USER rentan

EXPOSE 8000

# gunicorn takes its worker count from WEB_CONCURRENCY (3 by default, set above); further options can be added
# with GUNICORN_CMD_ARGS. Its control socket (for gunicornc) goes to /tmp, since /app is not writable.
# The access log has the path without its query string, and no referer: a search for a NIK or a name (?q=...)
# must not land in the logs (SECURITY.md).
CMD ["gunicorn", "rentan.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--worker-tmp-dir", "/dev/shm", \
     "--control-socket", "/tmp/gunicorn.ctl", \
     "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s %(m)s %(U)s %(s)s %(b)s %(D)sus"]
