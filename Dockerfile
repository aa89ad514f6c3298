# tpn-harness: every reference mock (`tpn serve`) in one image; `tpn certify` and the other
# commands run in it too. README.md, "Running the mocks in a container", documents the build,
# the volume and the environment variables.
#
#   docker build -t tpn-harness .
#   docker run -p 8086:8086 -v tpn-data:/data tpn-harness
#
# Offline (no package index in reach, as in the project's own test): put the dependencies'
# wheels, with setuptools and wheel, in container/wheels/ (`pip wheel -w container/wheels .
# setuptools wheel` on a host that can reach the index) and build with
# --build-arg PIP_NO_INDEX=1 --network=none.

# Any Debian-like image with python3 (3.11 or newer) and its venv module; the project's test
# passes one made with debootstrap, where python3 is /usr/bin/python3, not /usr/local/bin.
ARG BASE_IMAGE=python:3.11-slim

# ---- build: the wheels of the harness and of everything it needs ----------------------------
FROM ${BASE_IMAGE} AS build
# 1 (or true): take every wheel from container/wheels/ and never ask the package index.
ARG PIP_NO_INDEX=0
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PIP_NO_INDEX=${PIP_NO_INDEX} PIP_FIND_LINKS=/src/container/wheels
WORKDIR /src
# Every folder pyproject.toml's package-dir maps (tests/test_container.py checks the list).
COPY pyproject.toml README.md ./
COPY harness harness
COPY mocks mocks
COPY conformance conformance
COPY fixtures fixtures
COPY testing testing
COPY container container
RUN mkdir -p container/wheels \
    && python3 -m venv /opt/build \
    && /opt/build/bin/pip wheel --wheel-dir /wheels .

# ---- runtime: the wheels installed into a venv, run as a user of its own ---------------------
FROM ${BASE_IMAGE} AS runtime
# PATH in full: an image imported from a root file system (the project's test base) has none.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8 \
    PATH=/opt/tpn/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The wheels are mounted for this one step, not copied: they stay out of the image's layers
# (RUN --mount: Docker's BuildKit, the default builder since Docker 23, and podman have it).
# Nothing imports pip or setuptools at run time (`python -m ensurepip` brings pip back in an
# image built on this one).
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python3 -m venv /opt/tpn \
    && /opt/tpn/bin/pip install --no-index --find-links /wheels /wheels/tpn_harness-*.whl \
    && /opt/tpn/bin/pip uninstall --yes pip setuptools \
    && groupadd --gid 10001 tpn \
    && useradd --uid 10001 --gid tpn --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin tpn \
    && mkdir -p /data /reports \
    && chown tpn:tpn /data /reports
COPY container/entrypoint.py container/healthcheck.py /opt/tpn/container/

# The store (SQLite) and the security portal's key in it live in /data: a volume keeps them
# across containers. A new named volume takes its owner from this folder.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8086
# /isalive answers 200 "ok" once a worker serves, without credentials (auth covers the rest).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/tpn/bin/python", "/opt/tpn/container/healthcheck.py"]
# tpn serve, configured by TPN_* variables (container/entrypoint.py); any other tpn command
# runs as given: `docker run IMAGE certify --target URL`.
ENTRYPOINT ["/opt/tpn/bin/python", "/opt/tpn/container/entrypoint.py"]
CMD ["serve"]
