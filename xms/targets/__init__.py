"""Target side of a migration: volumes, attachments, ports, instances.

Drivers are chosen per role with ``[target]`` options and loaded by
stevedore from the ``xms.target.*`` entry point groups; see
:mod:`xms.targets.base`.
"""
