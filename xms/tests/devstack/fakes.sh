#!/bin/bash
# devstack's functions as recorders, for xms/tests/devstack: each call
# appends one record (the name and its arguments, separated by \x1f) to
# $XMS_RECORD and answers what devstack would (ids, URLs) so that
# devstack/lib/xms runs as under stack.sh. Nothing is installed, created
# or started.

function _rec {
    local IFS=$'\x1f'
    echo "$*" >> "$XMS_RECORD"
}

function echo_summary {
    :
}
function die {
    _rec die "$@"
    exit 1
}
function get_python_exec_prefix {
    echo "$XMS_FAKE_BIN"
}

function trueorfalse {
    local default=$1
    local value=${!2:-$default}
    case "$value" in
        1|yes|Yes|YES|true|True|TRUE|on|On|ON) echo True ;;
        0|no|No|NO|false|False|FALSE|off|Off|OFF) echo False ;;
        *) echo "$default" ;;
    esac
}

function enable_service {
    local service
    for service in "$@"; do
        [[ ,${ENABLED_SERVICES}, =~ ,${service}, ]] || \
            ENABLED_SERVICES+=",$service"
    done
}

function is_service_enabled {
    local service
    for service in "$@"; do
        [[ ,${ENABLED_SERVICES}, =~ ,${service}, ]] && return 0
    done
    return 1
}

function iniset {
    _rec iniset "$@"
}
function install_bindep {
    _rec install_bindep "$@"
}
function install_package {
    _rec install_package "$@"
}
function pip_install {
    _rec pip_install "$@"
}
function setup_develop {
    _rec setup_develop "$@"
}
function recreate_database {
    _rec recreate_database "$@"
}
function run_process {
    _rec run_process "$@"
}
function stop_process {
    _rec stop_process "$@"
}
function wait_for_service {
    _rec wait_for_service "$@"
}
function sudo {
    _rec sudo "$@"
}

function database_connection_url {
    echo "$XMS_FAKE_DB_URL/$1"
}

function get_transport_url {
    echo "$XMS_FAKE_TRANSPORT_URL"
}

# lib/keystone's helper writes these options (devstack 2024.1 and later).
function configure_keystone_authtoken_middleware {
    local conf=$1 user=$2 section=${3:-keystone_authtoken} type=${4:-}
    _rec configure_keystone_authtoken_middleware "$@"
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" cafile "$SSL_BUNDLE_FILE"
    iniset "$conf" "$section" memcached_servers "$MEMCACHE_SERVERS"
    if [[ -n "$type" ]]; then
        iniset "$conf" "$section" service_type "$type"
    fi
}

function get_or_create_user {
    _rec get_or_create_user "$@"
    echo "user-$1"
}
function get_or_create_role {
    _rec get_or_create_role "$@"
    echo "role-$1"
}
function get_or_create_user_role {
    _rec get_or_create_user_role "$@"
}
function get_or_create_service {
    _rec get_or_create_service "$@"
    echo "service-$1"
}
function get_or_create_endpoint {
    _rec get_or_create_endpoint "$@"
}
