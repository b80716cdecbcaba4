#!/bin/bash
# devstack/plugin.sh: XMS's devstack plugin. It only dispatches each
# devstack phase to the functions of lib/xms, where the work is done.
#
#   [[local|localrc]]
#   enable_plugin xms https://opendev.org/openstack/xms
#
# enables xms-api, xms-cond and xms-worker (devstack/settings); set
# XMS_ENABLE_VCSIM=False to skip the vCenter simulator source.

# Save trace setting
_XTRACE_XMS_PLUGIN=$(set +o | grep xtrace)
set -o xtrace

# shellcheck source=devstack/lib/xms
source "$DEST/xms/devstack/lib/xms"

if is_xms_enabled; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing XMS"
        install_xms
        install_xms_client
        install_xms_dashboard
        install_xms_vcsim
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring XMS"
        configure_xms
        create_xms_accounts
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Initializing and starting XMS"
        init_xms
        start_xms
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_xms
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_xms
    fi
fi

# Restore xtrace
$_XTRACE_XMS_PLUGIN
