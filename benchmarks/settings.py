"""Settings of the web processes under load (benchmarks/load.py): production's own module,
read from the environment that load.py gives it (DEBUG off, a throwaway secret, PostgreSQL with
persistent, health-checked connections, cache and sessions on Redis), with two differences,
each because the benchmark has no TLS proxy in front of gunicorn:

- no redirect to https, and cookies not marked Secure (the load generator speaks plain HTTP on
  the loopback; a browser behind the proxy gets both);
- the URLconf adds the hello-world baseline (``benchmarks.hello``) to the project's pages."""

from __future__ import annotations

from licensing.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.hello"

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
