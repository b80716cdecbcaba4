"""The product's main path, as a user drives it, into the mini-cloud.

Each test starts XMS as a deployment does
(:class:`~xms.tests.functional.fixtures.deployment.Deployment`), a vcsim
with a VM of two disks and two NICs, and acts only through the REST API
with Keystone tokens: a project manager registers the source, a member
discovers, preflights and migrates. What the job built is then checked
behind the scenes with the mini-cloud's admin connection and by reading
the file-backed Cinder volumes.
"""

import hashlib
import json
import os
import random
import subprocess
import uuid

from xms.preflight.base import NOT_CHECKED
from xms.tests.functional import base as func_base
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.fixtures import minicloud
from xms.tests.functional.fixtures import vcsim

MiB = 1024 * 1024
FINAL = ('completed', 'failed', 'cancelled')


def disk_content(size, seed):
    """Random data with holes, reproducible from ``seed``."""
    rnd = random.Random(seed)
    data = bytearray(size)
    for start in range(0, size, MiB):
        if (start // MiB) % 3 != 1:
            data[start:start + MiB // 2] = rnd.randbytes(MiB // 2)
    return bytes(data)


def sha256_file(path, size):
    """SHA-256 of the first ``size`` bytes of ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        left = size
        while left:
            chunk = f.read(min(4 * MiB, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


class JourneyTestCase(func_base.FunctionalTestCase):
    """A deployment, a source VM of 2 disks and 2 NICs, two networks."""

    MODE = deployment.SPLIT
    CONVERSION = 'none'
    #: More options of the deployment: ``{group: {option: value}}``.
    EXTRA = {}
    VM = 'DC0_H0_VM0'
    DISK_SIZES = (8 * MiB, 4 * MiB)

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.state = self.cloud.state
        self.admin = self.cloud.admin_connection()
        self.tenant = self.state['projects']['tenant1']
        # A password a careless log line or shell would mangle or show.
        self.password = 'e2e p\'w "$(id)" \u00fc\u00df-%s' % (
            uuid.uuid4().hex[:6])
        self.sim = self.useFixture(vcsim.VcsimFixture(
            password=self.password))
        self._prepare_vm()
        self._prepare_networks()
        self.deploy = self.useFixture(deployment.Deployment(
            os.path.join(self.state_path, 'xms'), self.db.url, self.state,
            mode=self.MODE, conversion=self.CONVERSION, extra=self.EXTRA))
        self.jobs = []
        self.addCleanup(self._delete_targets)
        self.member = self.deploy.client(
            deployment.user_session(self.state, 'alice'))
        self.manager = self.deploy.client(
            deployment.manager_session(self.state, self.admin))
        self.addOnException(self._attach_logs)

    # -- preparation ------------------------------------------------------

    def _prepare_vm(self):
        """A second disk and a second NIC are added; both disks get data."""
        self.disks = {}
        self.sim.add_disk(self.VM, min(self.DISK_SIZES))
        # Index in the simulator's order of the VM's disks (not the order
        # they were added in).
        for index, disk in enumerate(self.sim.disks(self.VM)):
            size = self.DISK_SIZES[index]
            path = os.path.join(self.state_path, 'disk%d.raw' % index)
            with open(path, 'wb') as f:
                f.write(disk_content(size, seed=index + 1))
            self.sim.put_disk(self.VM, path, disk=index)
            os.unlink(path)
            self.disks[disk.key] = {'index': index, 'size': size}
        self.nic_mac = '00:50:56:%02x:%02x:%02x' % tuple(
            random.randint(0, 255) for _i in range(3))
        self.nic2_key, _mac = self.sim.add_nic(self.VM, 'VM Network',
                                               mac=self.nic_mac)

    def _prepare_networks(self):
        """net1: the mini-cloud's tenant1 network; net2 and a security
        group made for this test."""
        self.net1 = self.state['network']
        suffix = uuid.uuid4().hex[:8]
        # A flat network on a physical network of its own: the mini-cloud
        # has no tenant network types (flat_networks = *).
        net2 = self.admin.network.create_network(
            name='xms-e2e-%s' % suffix, project_id=self.tenant,
            provider_network_type='flat',
            provider_physical_network='xmse2e%s' % suffix)
        self.addCleanup(self._delete_network, net2.id)
        third = random.randint(1, 250)
        self.admin.network.create_subnet(
            network_id=net2.id, name='xms-e2e-%s' % suffix, ip_version=4,
            cidr='10.97.%d.0/24' % third, project_id=self.tenant)
        self.net2 = {'id': net2.id, 'name': net2.name}
        group = self.admin.network.create_security_group(
            name='xms-e2e-web-%s' % suffix, project_id=self.tenant)
        self.addCleanup(self.admin.network.delete_security_group, group.id,
                        ignore_missing=True)
        self.security_group = {'id': group.id, 'name': group.name}
        # On this test's own subnet: no other test can hold the address.
        self.fixed_ip = '10.97.%d.%d' % (third, random.randint(20, 250))

    def _delete_network(self, network_id):
        for port in self.admin.network.ports(network_id=network_id):
            if (port.device_owner or '').startswith('network:'):
                continue
            self.admin.network.delete_port(port.id, ignore_missing=True)
        self.admin.network.delete_network(network_id, ignore_missing=True)

    def _attach_logs(self, exc_info):
        for name, text in self.deploy.logs().items():
            self.addDetail('%s.log' % name,
                           __import__('testtools').content.text_content(
                               text[-60000:]))

    # -- the public path ----------------------------------------------------

    def register_and_discover(self):
        source = self.manager.post('/sources', {
            'name': 'e2e-vcenter', 'type': 'vmware', 'host': self.sim.host,
            'port': self.sim.port, 'username': self.sim.username,
            'password': self.sim.password,
            'thumbprint': self.sim.thumbprint}, expect=201)
        self.source_id = source['uuid']
        info = self.member.post('/sources/%s/test' % self.source_id,
                                expect=200)
        self.assertTrue(info.get('product_name'), info)
        self.member.post('/sources/%s/discover' % self.source_id,
                         expect=202)
        self.member.wait('/sources/%s' % self.source_id,
                         lambda s: s['discovery']['status'] not in (
                             'never', 'queued', 'running'), 'discovery',
                         timeout=120)
        vms = {v['name']: v for v in self.member.get(
            '/vms?source_id=%s&limit=100' % self.source_id)['vms']}
        self.assertIn(self.VM, vms)
        return self.member.get('/vms/%s' % vms[self.VM]['uuid'])

    def target_spec(self, vm):
        """NIC 2 (a MAC of this test's own), mapped by MAC, keeps its MAC
        and gets a fixed IP on this test's network; the VM's first NIC,
        mapped by its port group, goes to the shared tenant network with a
        security group and a new MAC (vcsim gives every VM the same one,
        and other tests' ports sit on that network)."""
        nics = {n['device_key']: n for n in vm['nics']}
        first = next(n for k, n in nics.items() if k != self.nic2_key)
        return {
            'instance_name': 'e2e-%s' % uuid.uuid4().hex[:6],
            'volume_type': self.state['volume_type']['name'],
            'network_mapping': [
                {'source_network': self.nic_mac,
                 'network_id': self.net2['id'],
                 'fixed_ip': self.fixed_ip, 'keep_mac': True},
                {'source_network': first['network_name'],
                 'network_id': self.net1['id'], 'keep_mac': False,
                 'security_groups': [self.security_group['name']]}],
        }

    def preflight(self, vm, mode, target):
        pf = self.member.post('/preflights', {
            'vm_ids': [vm['uuid']], 'mode': mode, 'target': target},
            expect=202)['preflights'][0]
        pf = self.member.wait(
            '/preflights/%s' % pf['uuid'],
            lambda p: p['status'] not in ('pending', 'running'),
            'preflight', timeout=180)
        # The target side was asked (quotas, networks, flavors), through
        # the member's token in the API.
        self.assertEqual([], [c['name'] for c in pf['checks']
                              if c.get('message') == NOT_CHECKED], pf)
        return pf

    def submit(self, vm, job_type, target, **extra):
        body = dict({'vm_ids': [vm['uuid']], 'type': job_type,
                     'target': target}, **extra)
        job = self.member.post('/jobs', body, expect=201)['jobs'][0]
        self.jobs.append(job['uuid'])
        return job

    def follow(self, job, wanted, min_syncs=0, timeout=600):
        def done(doc):
            if doc['state'] in FINAL:
                return True
            return (doc['state'] in wanted
                    and (doc.get('incremental_syncs') or 0) >= min_syncs)
        doc = self.member.wait('/jobs/%s' % job['uuid'], done,
                               'job %s in %s' % (job['uuid'], wanted),
                               timeout=timeout,
                               on_wait=self.deploy._check_alive)
        self.assertIn(doc['state'], wanted,
                      'job %s: %s' % (doc['state'], doc.get('error')))
        return doc

    # -- what the job built ------------------------------------------------

    def volume_file(self, volume_id):
        return os.path.join(self.state['cinder_volume_dir'],
                            'volume-%s' % volume_id)

    def source_sha256(self, index, size):
        digest = hashlib.sha256()
        for offset in range(0, size, 4 * MiB):
            digest.update(self.sim.read_live_disk(
                self.VM, offset, min(4 * MiB, size - offset), disk=index))
        return digest.hexdigest()

    def assert_disks_equal(self, job):
        """Each volume holds its source disk: XMS digests, SHA-256 of the
        bytes and ``qemu-img compare`` (the volume is rounded up to whole
        GiB; the tail must read as zeros)."""
        self.assertEqual(len(self.disks), len(job['disks']))
        for disk in job['disks']:
            info = self.disks[disk['device_key']]
            self.assertTrue(disk['source_digest'])
            self.assertEqual(disk['source_digest'], disk['target_digest'])
            target = self.volume_file(disk['volume_id'])
            self.assertEqual(self.source_sha256(info['index'], info['size']),
                             sha256_file(target, info['size']))
            # The source's VMDK descriptor, read by qemu-img as VMware's.
            source = self.sim.local_path(self.sim.disk_path(
                self.VM, info['index']))
            compare = subprocess.run(
                ['qemu-img', 'compare', '-f', 'vmdk', '-F', 'raw', source,
                 target], capture_output=True, text=True)
            self.assertEqual(0, compare.returncode,
                             compare.stdout + compare.stderr)

    def assert_target(self, job, target):
        """The instance, its volumes and ports are as the job asked."""
        resources = job['target_resources']
        server = self.admin.compute.get_server(resources['instance'])
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(target['instance_name'], server.name)
        self.assertEqual(self.tenant, server.project_id)
        volumes = sorted(d['volume_id'] for d in job['disks'])
        self.assertEqual(volumes, sorted(
            a['id'] for a in server.attached_volumes))
        boot = self.admin.block_storage.get_volume(
            job['disks'][0]['volume_id'])
        self.assertTrue(boot.is_bootable)
        for volume_id in volumes:
            volume = self.admin.block_storage.get_volume(volume_id)
            self.assertEqual(target['volume_type'], volume.volume_type)
        ports = {p.network_id: p for p in self.admin.network.ports(
            device_id=server.id)}
        self.assertEqual({self.net1['id'], self.net2['id']}, set(ports))
        kept = ports[self.net2['id']]
        self.assertEqual(self.nic_mac, kept.mac_address.lower())
        self.assertEqual([self.fixed_ip],
                         [ip['ip_address'] for ip in kept.fixed_ips])
        grouped = ports[self.net1['id']]
        self.assertEqual([self.security_group['id']],
                         grouped.security_group_ids)
        self.assertEqual(sorted(resources['ports']),
                         sorted(p.id for p in ports.values()))
        return server, ports

    def report(self, title, job, server, ports):
        lines = ['%s job %s: %s' % (title, job['uuid'], job['state']),
                 '  server %s %s %s' % (server.id, server.name,
                                        server.status)]
        for port in ports.values():
            lines.append('  port %s net %s mac %s ips %s sgs %s' % (
                port.id, port.network_id, port.mac_address,
                [ip['ip_address'] for ip in port.fixed_ips],
                port.security_group_ids))
        for disk in job['disks']:
            lines.append('  disk %s -> volume %s digest %s' % (
                disk['device_key'], disk['volume_id'],
                disk['target_digest']))
        print('\n'.join(lines))

    # -- secrets ------------------------------------------------------------

    @staticmethod
    def _forms(secret):
        """The ways a secret can be written: as is, and JSON-escaped."""
        return {secret, json.dumps(secret)[1:-1],
                json.dumps(secret, ensure_ascii=False)[1:-1]}

    @staticmethod
    def _unwrap(message):
        """A RabbitMQ body and, inside it, oslo.messaging's JSON-encoded
        message (a JSON string within JSON)."""
        texts = [message]
        try:
            inner = json.loads(message).get('oslo.message')
        except (ValueError, AttributeError):
            inner = None
        if isinstance(inner, str):
            texts.append(inner)
        return '\n'.join(texts)

    def database_text(self):
        """Every row of every table (XMS's and TaskFlow's), as text."""
        import sqlalchemy as sa
        rows = []
        with self.db.engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                query = sa.select(sa.literal_column('*')).select_from(
                    sa.table(table))
                for row in conn.execute(query):
                    rows.append('%s %r' % (table, tuple(row)))
        return '\n'.join(rows)

    def sweep(self, secrets, wiretap=None):
        """Count where each secret appears.

        :param secrets: ``{label: secret}``.
        :returns: ``{(label, place): count}`` and prints the table.
        """
        places = {'API responses': '\n'.join(
            self.member.transcript + self.manager.transcript)}
        for name, text in sorted(self.deploy.logs().items()):
            places['log of %s (debug)' % name] = text
        if wiretap is not None:
            messages = wiretap.drain()
            places['RabbitMQ: %d RPC messages and notifications'
                   % len(messages)] = '\n'.join(
                       self._unwrap(m) for m in messages)
        places['database: XMS and TaskFlow tables'] = self.database_text()
        found = {}
        print('secret sweep: occurrences per place')
        for place, text in places.items():
            for label, secret in secrets.items():
                count = sum(text.count(form)
                            for form in self._forms(secret))
                found[(label, place)] = count
                print('  %-10s %-58s %d (%d bytes searched)' % (
                    label, place, count, len(text)))
        return found

    def _delete_targets(self):
        """Remove what the journeys migrated (a completed job's target is
        the user's, so XMS keeps it): instances, then ports and volumes."""
        for job_id in self.jobs:
            volumes, ports, servers = self.leftovers(job_id)
            for server in servers:
                self.admin.compute.delete_server(server)
                self.admin.compute.wait_for_delete(
                    self.admin.compute.get_server(server), wait=240)
            for port in ports:
                self.admin.network.delete_port(port, ignore_missing=True)
            for volume in volumes:
                volume = self.admin.block_storage.wait_for_status(
                    self.admin.block_storage.get_volume(volume),
                    status='available', failures=['error'], wait=240)
                self.admin.block_storage.delete_volume(volume)

    def leftovers(self, job_id):
        """Volumes, ports and servers of a job still in the mini-cloud."""
        from xms.targets import base as target_base
        volumes = [v.id for v in self.admin.block_storage.volumes(
            all_projects=True) if (v.metadata or {}).get(
                target_base.META_JOB) == str(job_id)]
        servers = [s.id for s in self.admin.compute.servers(
            all_projects=True) if (s.metadata or {}).get(
                target_base.META_JOB) == str(job_id)]
        ports = [p.id for p in self.admin.network.ports()
                 if (p.name or '').startswith('xms-job-%s-' % job_id)]
        return volumes, ports, servers
