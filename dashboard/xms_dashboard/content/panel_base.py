"""What every Migration panel has in common."""

import horizon

from xms_dashboard.api import xms


class MigrationPanel(horizon.Panel):
    """Shown when the user's cloud has an XMS API and the policy lets
    the user read the panel's resources."""

    def can_access(self, context):
        request = context['request']
        return xms.is_available(request) and super().can_access(context)
