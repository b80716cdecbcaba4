"""The flow factories (one module per flow).

Their names and import paths are listed once, in :mod:`xms.flows.names`.
"""
