# Marsad's image: the worker by default (`python -m bot`); `python -m bot migrate` is the
# release step (compose.yaml runs it before the worker). Only runtime packages: the install
# step is scripts/install, the same script `make` runs, in its runtime mode.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Packages first: a code change reuses this layer.
COPY requirements.txt requirements-camel.txt ./
COPY scripts/install scripts/install
RUN PYTHON=python scripts/install --venv /opt/venv

COPY bot bot
COPY handlers handlers
COPY classifiers classifiers
COPY config config
COPY LICENSE ./

# A dedicated user; data/ is where the default SQLite database lives (mount a volume there).
RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home marsad \
    && mkdir data && chown marsad:marsad data
USER marsad

# Exit 0 while polling and delivery keep recording heartbeats (see README, "Deploying");
# the start period leaves room for a first cycle over many feeds.
HEALTHCHECK --interval=60s --timeout=20s --start-period=300s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
