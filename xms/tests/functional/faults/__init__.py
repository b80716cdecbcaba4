"""Fault suites: crashes, restarts, cancels and load, with figure tables.

Every suite here runs one trial of each case in the gate (``tox -e
functional``) and its full, seeded trial count under ``tox -e faults``
(``XMS_FAULT_TRIALS=full``). ``XMS_FAULT_SEED`` reproduces a run's random
choices. Each suite prints its figures as one table on stdout, and also
appends it to ``$XMS_FAULT_REPORT`` when that names a file, so a run of all
suites leaves one report to read.
"""

import os
import random


def full_run():
    """Whether this run asks for every trial (``tox -e faults``)."""
    return os.environ.get('XMS_FAULT_TRIALS', '').lower() == 'full'


def trials(full, gate=1):
    """How many trials a suite runs: ``full`` under faults, else ``gate``."""
    return full if full_run() else gate


def rng(suite):
    """A random source for one suite, reproducible from XMS_FAULT_SEED.

    The seed is printed with the suite's table, so a failing trial can be
    rerun with the same choices.
    """
    seed = int(os.environ.get('XMS_FAULT_SEED', '20261201'))
    return seed, random.Random('%s:%d' % (suite, seed))


class FigureTable:
    """A suite's figures: one row per trial or case, printed at the end."""

    def __init__(self, title, columns):
        self.title = title
        self.columns = list(columns)
        self.rows = []

    def add(self, *values):
        if len(values) != len(self.columns):
            raise ValueError('row has %d values for %d columns'
                             % (len(values), len(self.columns)))
        self.rows.append([str(v) for v in values])

    def render(self):
        widths = [len(c) for c in self.columns]
        for row in self.rows:
            widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
        line = '  '.join('%%-%ds' % w for w in widths)
        out = [self.title, line % tuple(self.columns),
               line % tuple('-' * w for w in widths)]
        out.extend(line % tuple(row) for row in self.rows)
        return '\n'.join(out)

    def emit(self):
        text = self.render()
        print('\n' + text, flush=True)
        report = os.environ.get('XMS_FAULT_REPORT')
        if report:
            with open(report, 'a') as f:
                f.write(text + '\n\n')
        return text
