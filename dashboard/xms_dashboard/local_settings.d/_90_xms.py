# Registers the XMS policy file with Horizon under the service type
# "migration", so the panels hide what the API would refuse. Copy into
# openstack_dashboard/local/local_settings.d/ (Horizon executes these files
# inside its settings module, where POLICY_FILES is defined).
import os as _os

import xms_dashboard as _xms_dashboard

POLICY_FILES['migration'] = _os.path.join(  # noqa: F821
    _os.path.dirname(_xms_dashboard.__file__), 'conf', 'xms_policy.yaml')
