#!/usr/bin/env bash
# Install Horizon (from PyPI), Selenium and xms-dashboard into one
# virtualenv cached under ${XMS_CACHE_DIR:-~/.cache/xms}/horizon, for the
# browser tests (xms/tests/functional/dashboard) and `tox -e browser`.
# Idempotent: a venv whose marker file exists only gets xms-dashboard (and
# python-xmsclient, when its directory exists) reinstalled in develop mode.
#
# Usage: tools/dashboard/install.sh    (PYTHON=/path/to/python3 to pick
#                                       the interpreter)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XMS_CACHE_DIR:-$HOME/.cache/xms}/horizon
PYTHON=${PYTHON:-python3}
mkdir -p "$CACHE"

# Releases tested together (2026-12).
HORIZON="horizon==27.0.0 python-memcached selenium>=4.20"
VENV=$CACHE/venv
MARKER=$VENV/.xms-horizon-$(echo "$HORIZON" | md5sum | cut -c1-12)

exec 9>"$CACHE/install.lock"
flock 9
if [ ! -e "$MARKER" ]; then
    T0=$(date +%s)
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q -U pip setuptools wheel
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install -q $HORIZON
    touch "$MARKER"
    echo "dashboard-install: horizon installed in $(( $(date +%s) - T0 )) s"
fi
# The client the panels use; the dashboard from this checkout.
CLIENT=${XMS_CLIENT_DIR:-$HERE/client}
if [ -d "$CLIENT" ]; then
    "$VENV/bin/pip" install -q --no-deps -e "$CLIENT"
fi
"$VENV/bin/pip" install -q --no-deps -e "$HERE/dashboard"
# Enable the plugin as a deployment does: its enabled files and the
# settings snippet that registers its policy file, linked into Horizon.
HZ=$("$VENV/bin/python" -c 'import os, openstack_dashboard as o; print(os.path.dirname(o.__file__))')
mkdir -p "$HZ/local/enabled" "$HZ/local/local_settings.d"
rm -f "$HZ"/local/enabled/_9?_project_migration_*.py "$HZ/local/local_settings.d/_90_xms.py"
ln -s "$HERE"/dashboard/xms_dashboard/enabled/_9?_project_migration_*.py "$HZ/local/enabled/"
ln -s "$HERE/dashboard/xms_dashboard/local_settings.d/_90_xms.py" "$HZ/local/local_settings.d/"
echo "dashboard-install: $VENV"
