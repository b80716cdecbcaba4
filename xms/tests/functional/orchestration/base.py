"""Common set-up of the orchestration tests.

Each test gets a private MariaDB database (XMS and TaskFlow tables), a
vcsim with Changed Block Tracking, a source row for it with the
thumbprint pinned, the local target in a temporary directory, the
"none" converter, and small transport windows so that tiny disks still
cross several checkpoints.
"""

import os
import shutil
import time
import uuid

from xms.common import context as xms_context
from xms.common import credentials
from xms.db import api as db_api
from xms.flows import dispatch
from xms.sources import base as source_base
from xms.sources.vsphere import client
from xms.targets import local_common
from xms.tests.functional import base
from xms.tests.functional.fixtures import vcsim
from xms.worker import service as worker_service

MiB = 1024 * 1024

VM = 'DC0_H0_VM0'


def random_disk(size, seed=0):
    """Disk content: random data with zero runs (holes) in it."""
    data = bytearray(os.urandom(size))
    for start in range(MiB, size, 3 * MiB):
        data[start:start + MiB // 2] = bytes(MiB // 2)
    return bytes(data)


def _copy_if_there(path, dest):
    if os.path.exists(path):
        shutil.copy(path, dest)


class OrchestrationTestCase(base.FunctionalTestCase):

    vcsim_kwargs = {}


    def write_worker_conf(self, name, board, claim_ttl, slots=2,
                          rate_kib=0):
        """The configuration file of a worker process ``name`` on the etcd
        jobboard ``board``, sharing this test's database, keys and local
        target; small chunks and a 1 MiB checkpoint window so a kill
        lands in the middle of a copy. Its log is kept under
        ``$XMS_TEST_LOG_DIR`` when that is set.
        """
        conf = os.path.join(self.state_path, '%s.conf' % name)
        log = os.path.join(self.state_path, '%s.log' % name)
        c = self.conf.conf
        with open(conf, 'w') as f:
            f.write('\n'.join([
                '[DEFAULT]', 'host = %s' % name,
                'state_path = %s' % self.state_path,
                'log_file = %s' % log, 'debug = true',
                '[database]', 'connection = %s' % c.database.connection,
                '[taskflow]', 'jobboard_backend = etcd',
                'jobboard_name = %s' % board,
                'claim_ttl = %d' % claim_ttl,
                '[worker]', 'max_jobs = %d' % slots,
                'heartbeat_interval = 1',
                'max_read_rate_kib = %d' % rate_kib,
                'graceful_shutdown_timeout = 5',
                '[credentials]',
                'key_repository = %s' % c.credentials.key_repository,
                '[vsphere]', 'task_poll_interval = 0.05',
                'power_poll_interval = 0.05',
                '[target]', 'storage_driver = local',
                'attach_driver = local', 'compute_driver = local',
                'network_driver = local',
                'local_dir = %s' % c.target.local_dir,
                '[conversion]', 'driver = none',
                '[transport]', 'chunk_size_mib = 1', 'buffer_mib = 4',
                'checkpoint_window_mib = 1', '']))
        keep = os.environ.get('XMS_TEST_LOG_DIR')
        if keep:
            self.addCleanup(_copy_if_there, log, os.path.join(
                keep, '%s-%s.log' % (board, name)))
        return conf
    def setUp(self):
        super().setUp()
        self.config(host='xms-test-%s' % uuid.uuid4().hex[:8])
        self.use_credential_keys()
        self.config(task_poll_interval=0.05, power_poll_interval=0.05,
                    group='vsphere')
        self.config(storage_driver='local', attach_driver='local',
                    compute_driver='local', network_driver='local',
                    local_dir=os.path.join(self.state_path, 'target'),
                    group='target')
        self.config(driver='none', group='conversion')
        self.config(chunk_size_mib=1, buffer_mib=4, checkpoint_window_mib=1,
                    group='transport')
        self.config(jobboard_backend='local', group='taskflow')
        self.config(heartbeat_timeout=30, group='conductor')
        client.close_all()
        self.addCleanup(client.close_all)
        dispatch.reset()
        self.addCleanup(dispatch.reset)
        self.ctx = xms_context.get_admin_context()
        self.sim = self.useFixture(vcsim.VcsimFixture(**self.vcsim_kwargs))
        self.driver = source_base.get_driver('vmware')
        self.source = db_api.source_create(self.ctx, {
            'project_id': 'project-1', 'name': 'vc', 'type': 'vmware',
            'host': self.sim.host, 'port': self.sim.port,
            'username': self.sim.username,
            'password_encrypted': credentials.encrypt(self.sim.password),
            'thumbprint': self.sim.thumbprint, 'verify_tls': True})
        self.runner = None

    # -- helpers ---------------------------------------------------------

    def start_local_worker(self, slots=2):
        """Run flows in this process (the all-in-one dispatcher)."""
        db_api.worker_register(self.ctx, self.conf.conf.host, 'xms-worker',
                               slots=slots)
        self.runner = worker_service.LocalRunner(slots)
        self.runner.start()
        self.addCleanup(self.runner.stop, 5)
        return self.runner

    def put_disk(self, data, vm=VM):
        self.sim.put_disk(vm, data)

    def make_job(self, job_type, vm=VM, **values):
        """A queued job as the API makes it (after discovery)."""
        self.driver.discover(self.ctx, self.source)
        row = db_api.vm_list(self.ctx, filters={'source_id': self.source.id,
                                                'name': vm})[0]
        job_values = {
            'project_id': self.source.project_id, 'user_id': 'user-1',
            'source_id': self.source.id, 'vm_id': row.id, 'type': job_type,
            'vm_name': vm, 'target_spec': {},
            'bytes_total': sum(d.capacity_bytes for d in row.disks)}
        if job_type == 'warm':
            job_values.update(sync_interval=3600, shutdown_timeout=5)
        else:
            job_values.update(shutdown_timeout=5)
        job_values.update(values)
        disks = [{'device_key': d.device_key, 'source_path': d.file_name,
                  'capacity_bytes': d.capacity_bytes,
                  'bytes_total': d.capacity_bytes} for d in row.disks]
        return db_api.job_create(self.ctx, job_values, disks)

    def job(self, job):
        return db_api.job_get(self.ctx, job.id)

    def events(self, job):
        return list(reversed(db_api.event_list(self.ctx, job_id=job.id)))

    def wait_for(self, job, predicate, timeout=120, what='condition'):
        deadline = time.monotonic() + timeout
        while True:
            row = self.job(job)
            if predicate(row):
                return row
            if time.monotonic() > deadline:
                self.fail('job %s: %s not reached (state %s, phase %s, '
                          'error %s); events:\n%s' % (
                              row.uuid, what, row.state, row.phase,
                              row.error, '\n'.join(
                                  '%s %s' % (e.event_type, e.message)
                                  for e in self.events(job))))
            time.sleep(0.05)

    def wait_state(self, job, *wanted, timeout=120):
        return self.wait_for(
            job, lambda r: r.state in wanted and r.active_flow is None,
            timeout, 'state %s' % (wanted,))

    def target_bytes(self, job):
        job = self.job(job)
        return [open(local_common.volume_path(d.volume_id), 'rb').read()
                for d in job.disks]

    def live_snapshots(self, job=None):
        rows = db_api.snapshot_list(self.ctx, filters={
            'state': ['creating', 'created', 'removing']})
        if job is not None:
            rows = [r for r in rows if r.job_id == job.id]
        return rows

    def vm_snapshots(self, vm=VM):
        """Snapshots vSphere itself shows on the VM (not our records)."""
        snap = self.sim.find_vm(vm).snapshot
        if snap is None:
            return []
        out = []

        def walk(nodes):
            for node in nodes:
                out.append(node.name)
                walk(node.childSnapshotList)

        walk(snap.rootSnapshotList)
        return out

    def power_state(self, vm=VM):
        return str(self.sim.find_vm(vm).runtime.powerState)
