#!/usr/bin/env bash
# Unit tests of xms-dashboard, with Django's test runner in the Horizon
# virtualenv that tools/dashboard/install.sh makes. Arguments: test labels
# (default: every test of xms_dashboard.tests).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${XMS_HORIZON_VENV:-${XMS_CACHE_DIR:-$HOME/.cache/xms}/horizon/venv}
cd "$HERE/dashboard"
if [ $# -eq 0 ]; then
    set -- xms_dashboard.tests
fi
exec "$VENV/bin/python" manage.py test --settings=xms_dashboard.tests.settings "$@"
