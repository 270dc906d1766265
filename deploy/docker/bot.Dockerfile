# The bot image: Rasa 3.6 (bot/requirements.txt, as `make envs` installs .venv-bot) with its model trained
# at build time, so the image is the model's artefact and nothing is downloaded at run time. Build from the root:
#   docker build -f deploy/docker/bot.Dockerfile -t helpdesk-bot:0.1.0 .
# Trackers and locks are in Redis (bot/endpoints.redis.yml): any replica serves any turn.

# The build-time training data (scripts/train_bot.sh's first step): bot/augment.py and bot/lookups.py
# run with the app's Python and need only PyYAML from it.
FROM python:3.11-slim AS bot-data
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN pip install "pyyaml==6.0.2"
COPY knowledge knowledge
COPY data/guides data/guides
COPY data/provinces.yaml data/provinces.yaml
COPY bot bot
RUN python bot/augment.py /out && python bot/lookups.py /out

FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    RASA_TELEMETRY_ENABLED=false \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /bot

COPY bot/requirements.txt bot/requirements.txt
RUN pip install -r bot/requirements.txt

COPY bot/config.yml bot/domain.yml bot/credentials.yml bot/endpoints.redis.yml bot/rasa_server.py bot/
COPY bot/data bot/data
COPY --from=bot-data /out bot-data
RUN rasa train --config bot/config.yml --domain bot/domain.yml --data bot/data bot-data \
        --out models --fixed-model-name bot --quiet \
    && rm -rf .rasa /tmp/* \
    && groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent helpdesk
COPY deploy/docker/rasa-run.sh /usr/local/bin/helpdesk-rasa

USER 10001:10001
EXPOSE 5005
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=2)"]
CMD ["helpdesk-rasa"]
