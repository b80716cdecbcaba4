"""Policies in code: one module per resource, ``xms:<resource>:<action>``.

:func:`list_rules` is the ``oslo.policy.policies`` entry point that
``oslopolicy-sample-generator`` (``tox -e genpolicy``) reads.
"""

import itertools

from xms.policies import base
from xms.policies import events
from xms.policies import jobs
from xms.policies import preflights
from xms.policies import sources
from xms.policies import vms
from xms.policies import workers


def list_rules():
    return list(itertools.chain(
        base.list_rules(), sources.list_rules(), vms.list_rules(),
        preflights.list_rules(), jobs.list_rules(), events.list_rules(),
        workers.list_rules()))
