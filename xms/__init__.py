"""XMS: migrate virtual machines from VMware vSphere into OpenStack.

XMS never uses eventlet. oslo.service (imported by oslo.messaging) picks
its eventlet backend unless told otherwise before first use, so the
threading backend is chosen here, the first thing any XMS import runs.
"""

from oslo_service import backend as _oslo_service_backend

_oslo_service_backend.register_backend_default_hook(
    lambda: _oslo_service_backend.BackendType.THREADING)

# Some libraries (futurist, oslo.utils) probe for eventlet with a plain
# import, which prints a deprecation warning; XMS does not monkey-patch and
# never runs on eventlet, so the warning says nothing about XMS.
import warnings as _warnings  # noqa: E402

_warnings.filterwarnings('ignore', message='\\s*Eventlet is deprecated')
