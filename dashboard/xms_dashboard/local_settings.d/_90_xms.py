# Registers the XMS policies with Horizon under the service type
# "migration", so the panels hide what the API would refuse: the defaults
# (the API's policies in code, written out by tools/dashboard/gen-policy.py)
# and the operator's overrides. Copy into
# openstack_dashboard/local/local_settings.d/ (Horizon executes these files
# inside its settings module, where both dictionaries are defined).
import os as _os

import xms_dashboard as _xms_dashboard

_XMS_CONF = _os.path.join(_os.path.dirname(_xms_dashboard.__file__), 'conf')
DEFAULT_POLICY_FILES['migration'] = _os.path.join(  # noqa: F821
    _XMS_CONF, 'default_policies', 'xms.yaml')
POLICY_FILES['migration'] = _os.path.join(  # noqa: F821
    _XMS_CONF, 'xms_policy.yaml')
