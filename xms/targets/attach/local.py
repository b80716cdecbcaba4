"""Local attach: the volume file itself is written, nothing to attach."""

import os

from xms.common.i18n import _
from xms.targets import base
from xms.targets import local_common as lc


class LocalAttachDriver(base.AttachDriver):

    def attach(self, context, volume_id):
        path = lc.volume_path(volume_id)
        if not os.path.exists(path):
            raise base.TargetError(reason=_('local volume %s does not '
                                            'exist') % volume_id)
        return path

    def detach(self, context, volume_id):
        return None
