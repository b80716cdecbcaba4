"""What the conductor and the worker share about flows.

:mod:`xms.flows.names` (the flow names and their factories),
:mod:`xms.flows.jobboard` (the persistence backend and the jobboard of
this process), :mod:`xms.flows.engine` (persisting and loading a flow's
engine) and :mod:`xms.flows.dispatch` (handing a flow to a worker). The
conductor posts flows through these modules and the worker runs them
through the same ones, so neither imports the other.
"""
