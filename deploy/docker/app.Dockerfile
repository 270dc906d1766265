# The app image: the FastAPI app under uvicorn (one process per container; scale with replicas), the
# knowledge package and the Alembic migrations, all installed from pyproject.toml. Build from the root:
#   docker build -f deploy/docker/app.Dockerfile -t helpdesk-app:0.1.0 .
# The same image runs the migrations and the index build as a one-shot (helpdesk-migrate, deploy/docker/migrate.sh).
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HOME=/tmp \
    HELPDESK_INDEX_DIR=/var/lib/helpdesk/index

WORKDIR /app

# The forms' PDFs are set in DejaVu Sans (api/forms/pdf.py). Unpinned on purpose: the base image's
# Debian release decides the version, and a pinned one disappears from its archive at the next point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# torch from the CPU-only wheels first (the default wheel pulls in CUDA libraries this app never uses),
# then the project's dependencies from pyproject.toml in their own layer, so a source change rebuilds neither.
COPY pyproject.toml ./
RUN pip install --index-url "$TORCH_INDEX_URL" "torch==2.13.0" \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" >/tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Editable, so the settings' paths (data/, the migrations) resolve inside /app as in a checkout.
COPY alembic.ini ./
COPY api api
COPY actions actions
COPY db db
COPY knowledge knowledge
COPY data data
RUN pip install --no-deps -e . \
    && python -m compileall -q api actions db knowledge \
    && groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent helpdesk \
    && mkdir -p /var/lib/helpdesk/index \
    && chown 10001:10001 /var/lib/helpdesk/index
COPY deploy/docker/migrate.sh /usr/local/bin/helpdesk-migrate

USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/helpdesk/index"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health/live', timeout=2)"]
# --no-proxy-headers: the app itself believes X-Forwarded-* from HELPDESK_WEB__TRUSTED_PROXIES only.
CMD ["uvicorn", "api.app:create_app", "--factory", "--no-access-log", "--no-proxy-headers", "--host", "0.0.0.0", "--port", "8000"]
