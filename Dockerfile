# syntax=docker/dockerfile:1
# The application's image: one image, every process kind (scripts/serve web|worker|beat|migrate).
# It builds where a container engine is available (docker build ., podman build .); the
# project's CI machines have none, so it is not built there (docs/operations.md).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: the virtualenv from the pinned packages, the translations, the static files --------
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential gettext \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY . .
# Not editable: the packages are copied into the venv (pyproject.toml names each app).
RUN --mount=type=cache,target=/root/.cache/pip pip install -c requirements.lock . \
    && python manage.py compilemessages --ignore .venv --ignore var --verbosity 0 \
    && DJANGO_VAR_DIR=/tmp/var DJANGO_STATIC_ROOT=/app/static-root \
        python manage.py collectstatic --noinput --verbosity 0 \
    && find /app -name __pycache__ -prune -exec rm -rf {} + \
    && rm -rf /tmp/var

# -- runtime: Debian's WeasyPrint libraries and fonts, no compilers, a user without rights -----
FROM ${PYTHON_IMAGE} AS runtime
# The run-time part of the Makefile's SYSDEPS (python3-venv and -dev, poppler-utils and gettext
# serve the build and the tests only).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 licensing \
    && useradd --system --uid 10001 --gid licensing --home-dir /var/lib/licensing \
        --shell /usr/sbin/nologin licensing \
    && install -d -o licensing -g licensing /var/lib/licensing
COPY --from=build /opt/venv /opt/venv
# Owned by root, read-only to the process: the code cannot be changed by what runs it.
COPY --from=build /app /app
# PYTHONPATH: the code is imported from /app (settings' BASE_DIR finds templates/, static/ and
# the catalogues beside it), the installed copy in the venv serves only its dependencies.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_VAR_DIR=/var/lib/licensing \
    DJANGO_STATIC_ROOT=/app/static-root \
    WEB_BIND=0.0.0.0:8000
WORKDIR /app
USER licensing:licensing
EXPOSE 8000
ENTRYPOINT ["scripts/serve"]
CMD ["web"]
