#!/usr/bin/env python3
"""Benchmark: discovery of a large simulated vCenter inventory.

Starts XMS's vcsim with ``--vms`` VMs (spread over one cluster and one
standalone host), registers it as a source and times
``VSphereDriver.discover`` (bulk PropertyCollector reads plus the DB
upsert), for a first scan and a rescan. Prints one JSON line per scan.

    python tools/bench/discovery.py [--vms 500] [--db sqlite|mysql]
        [--repeat 3]

This reports figures; it asserts nothing (no timed tests in the suite).
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                '..', '..')))

from xms.common import context  # noqa: E402
from xms.common import credentials  # noqa: E402
from xms.conf import CONF  # noqa: E402
from xms.db import api as db_api  # noqa: E402
from xms.sources import base as source_base  # noqa: E402
from xms.sources.vsphere import client  # noqa: E402
from xms.sources.vsphere import inventory  # noqa: E402
from xms.tests.functional.fixtures import database  # noqa: E402
from xms.tests.functional.fixtures import vcsim  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--vms', type=int, default=500)
    parser.add_argument('--db', choices=('sqlite', 'mysql'),
                        default='sqlite')
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()

    CONF([], project='xms', default_config_files=[])
    keys = tempfile.mkdtemp(prefix='xms-bench-keys-')
    CONF.set_override('key_repository', keys, group='credentials')
    credentials.init_repository(keys)

    # Two resource pools (the cluster's and the standalone host's).
    per_pool = max(1, (args.vms + 1) // 2)
    sim = vcsim.VcsimFixture(vms=per_pool, cluster_hosts=3,
                             standalone_hosts=1)
    sim.setUp()
    db = database.Database(CONF, backend=args.db)
    db.setUp()
    try:
        ctx = context.get_admin_context()
        source = db_api.source_create(ctx, {
            'project_id': 'bench', 'name': 'bench', 'host': sim.host,
            'port': sim.port, 'username': sim.username,
            'password_encrypted': credentials.encrypt(sim.password),
            'thumbprint': sim.thumbprint, 'datacenter': 'DC0'})
        driver = source_base.get_driver('vmware')
        session = client.get_session(source)
        session.call(lambda s: None)     # log in outside the timings
        for run in range(args.repeat):
            start = time.perf_counter()
            records = session.call(inventory.read_vms, 'DC0')
            read = time.perf_counter() - start
            start = time.perf_counter()
            summary = driver.discover(ctx, source)
            total = time.perf_counter() - start
            print(json.dumps({
                'benchmark': 'discovery', 'run': run, 'db': args.db,
                'vms': summary['vms'], 'added': summary['added'],
                'updated': summary['updated'],
                'read_seconds': round(read, 3),
                'discover_seconds': round(total, 3),
                'vms_per_second': round(summary['vms'] / total, 1),
                'records_read': len(records)}))
    finally:
        client.close_all()
        db.cleanUp()
        sim.cleanUp()
    return 0


if __name__ == '__main__':
    sys.exit(main())
