#!/usr/bin/env bash
# Install the mini-cloud's services into virtualenvs cached under
# ${XMS_CACHE_DIR:-~/.cache/xms}/minicloud: Keystone, Cinder, Nova +
# Placement, Neutron (server only), Barbican, each with gunicorn, at pinned
# releases.
# Idempotent: a venv whose marker file exists is left alone.
#
# Usage: tools/minicloud/install.sh    (PYTHON=/path/to/python3.11 to pick
#                                       the interpreter)
set -euo pipefail
CACHE=${XMS_CACHE_DIR:-$HOME/.cache/xms}/minicloud
PYTHON=${PYTHON:-python3}
mkdir -p "$CACHE"

# Releases tested together (2026-11). Without OpenStack's upper-constraints
# pip picks the newest libraries; these combinations installed cleanly.
KEYSTONE="keystone==30.0.0"
CINDER="cinder==29.0.0"
NOVA="nova==34.0.0 openstack-placement==16.0.0 glance==33.0.0"
NEUTRON="neutron==29.0.0"
BARBICAN="barbican==23.0.0"
COMMON="PyMySQL gunicorn python-memcached"

install_venv() {  # name, packages...
    local name=$1; shift
    local venv=$CACHE/venv-$name
    local marker=$venv/.xms-minicloud-$(echo "$*" | md5sum | cut -c1-12)
    if [ -e "$marker" ]; then
        echo "minicloud-install: $name is installed"
        return 0
    fi
    local t0=$(date +%s)
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q -U pip setuptools wheel
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q "$@" $COMMON
    "$venv/bin/pip" check
    touch "$marker"
    echo "minicloud-install: $name installed in $(( $(date +%s) - t0 )) s"
}

exec 9>"$CACHE/install.lock"
flock 9
T0=$(date +%s)
# Two at a time: pip is mostly network and unpacking.
install_venv keystone $KEYSTONE &
p1=$!
install_venv cinder $CINDER fixtures &
p2=$!
wait $p1; wait $p2
install_venv nova $NOVA &
p1=$!
install_venv neutron $NEUTRON &
p2=$!
wait $p1; wait $p2
install_venv barbican $BARBICAN
echo "minicloud-install: done in $(( $(date +%s) - T0 )) s"
