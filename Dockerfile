# The hotline bot as a container: slim, runs as a user without privileges, the Khmer
# font installed (for charts and anything that renders Khmer text).
#   docker build -t returnee-hotline .
#   docker run --env-file .env -v hotline-data:/var/lib/returnee-hotline returnee-hotline
# compose.yaml does the same with a volume and a restart policy.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-khmeros \
 && rm -rf /var/lib/apt/lists/*

# The exact versions of requirements.lock first (a layer that changes only with the lock),
# then the package itself, installed (not editable): catalogs, data and migrations are
# package data, so the source folder is not needed afterwards.
WORKDIR /src
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY flows ./flows
COPY storage ./storage
COPY data ./data
COPY locales ./locales
RUN pip install --no-deps . && cd / && rm -rf /src

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/returnee-hotline \
        --create-home hotline
WORKDIR /var/lib/returnee-hotline
USER hotline

# The database and the daily backups live on the volume. Inside the container the
# listener binds every interface; publish the port on 127.0.0.1 only (compose.yaml) and
# put the web server in front.
ENV DATABASE_PATH=/var/lib/returnee-hotline/hotline.sqlite3 \
    BACKUP_DIR=/var/lib/returnee-hotline/backups \
    WEBHOOK_LISTEN=0.0.0.0:8080 \
    HEALTH_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/returnee-hotline"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

# SIGTERM (docker stop) stops it cleanly: the listener first, then what was queued.
STOPSIGNAL SIGTERM
CMD ["returnee-hotline", "run"]
