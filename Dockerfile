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
# `qaward serve` migrates before it serves
CMD [".venv/bin/qaward", "serve", "--host", "0.0.0.0", "--port", "8000"]
