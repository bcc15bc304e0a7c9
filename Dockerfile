FROM python:3.11-slim
WORKDIR /srv/qaward
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 QAWARD_DATA_DIR=/var/lib/qaward
COPY requirements.lock ./
# the locked versions alone, checked against their hashes, before the code (a layer kept while only code changes)
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# installed the same way the README does
RUN .venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && useradd --system --home /var/lib/qaward qaward && mkdir -p /var/lib/qaward && chown qaward /var/lib/qaward
USER qaward
EXPOSE 8000
# healthy = serving with its database reachable and the schema at head (the image has no curl: Python asks)
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD [".venv/bin/python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/ready', timeout=4).status != 200)"]
# `qaward serve` migrates before it serves
CMD [".venv/bin/qaward", "serve", "--host", "0.0.0.0", "--port", "8000"]
