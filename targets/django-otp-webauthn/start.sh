#!/usr/bin/env bash
# start.sh PORT: a fresh SQLite database (var/db-PORT.sqlite3), Django's migrations, then Django's own server
# (`django-admin runserver`, no reloader) in the foreground on 127.0.0.1:PORT, for the origin http://localhost:PORT
# and RP ID localhost. Nothing is created by hand: accounts are signed up and signed in by the RP profile.
set -euo pipefail
cd "$(dirname "$0")"
[[ $# -eq 1 ]] || { echo "usage: start.sh PORT" >&2; exit 2; }
export RP_PORT=$1
mkdir -p var
export RP_DATABASE=$PWD/var/db-$1.sqlite3
rm -f "$RP_DATABASE"
export DJANGO_SETTINGS_MODULE=rp.settings PYTHONPATH=$PWD PYTHONUNBUFFERED=1
.venv/bin/python -m django migrate --noinput --verbosity 0
exec .venv/bin/python -m django runserver --noreload 127.0.0.1:"$1"
