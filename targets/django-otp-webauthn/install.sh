#!/usr/bin/env bash
# Installs django-otp-webauthn, Django, django-otp, py_webauthn and the rest into ./.venv, pinned by requirements.txt
# (the shared Python installer: `python3 -m venv`, then every pin ==, installed with --no-deps).
exec bash "$(dirname "$0")/../_shared/python/install-venv.sh" "$(dirname "$0")"
