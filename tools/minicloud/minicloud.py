#!/usr/bin/env python3
"""A real mini OpenStack on loopback for XMS's target tests.

Keystone, Cinder (api, scheduler, volume with a file-backed test
driver), Placement, Nova (api, conductor, scheduler, one compute with
the fake virt driver), Neutron (API server, ML2 with a test mechanism
driver that binds every port) and Barbican (API with the simple crypto
plugin, for XMS's castellan backend), on MariaDB and RabbitMQ on
127.0.0.1.

    minicloud.py install   # pip into venvs under ~/.cache/xms/minicloud
    minicloud.py start     # fresh start: databases, configs, services
    minicloud.py status    # exit 0 when it answers
    minicloud.py stop
    minicloud.py env       # the state file: URLs, users, ids

Every ``start`` begins from empty databases and an empty lab directory,
so a run never inherits another run's leftovers. The state file
(``~/.cache/xms/minicloud/lab/state.json``) tells tests how to reach it.

Environment: ``XMS_CACHE_DIR`` (default ~/.cache/xms),
``XMS_TEST_MYSQL_URL`` (default mysql+pymysql://root@127.0.0.1/),
``XMS_MINICLOUD_TRANSPORT_URL`` (default
rabbit://guest:guest@127.0.0.1:5672/), ``XMS_MINICLOUD_PORT_BASE``
(default 28770; seven ports from there).

Needs, in the Python that runs it: openstacksdk, PyMySQL, SQLAlchemy.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PLUGINS = os.path.join(TOP, 'xms', 'tests', 'functional', 'fixtures',
                       'minicloud_plugins')
CACHE = os.path.join(os.path.expanduser(
    os.environ.get('XMS_CACHE_DIR', '~/.cache/xms')), 'minicloud')
LAB = os.path.join(CACHE, 'lab')
STATE = os.path.join(LAB, 'state.json')
DB_URL = os.environ.get('XMS_TEST_MYSQL_URL',
                        'mysql+pymysql://root@127.0.0.1/')
TRANSPORT = os.environ.get('XMS_MINICLOUD_TRANSPORT_URL',
                           'rabbit://guest:guest@127.0.0.1:5672/')
BASE = int(os.environ.get('XMS_MINICLOUD_PORT_BASE', '28770'))
PORTS = {'keystone': BASE, 'cinder': BASE + 1, 'nova': BASE + 2,
         'placement': BASE + 3, 'neutron': BASE + 4, 'glance': BASE + 5,
         'barbican': BASE + 6}
DBS = ('keystone', 'cinder', 'nova_api', 'nova', 'nova_cell0',
       'placement', 'neutron', 'glance', 'barbican')
DB_PREFIX = 'xmsmc_'
REGION = 'RegionOne'
ADMIN_PASSWORD = 'xmsmc-admin'  # noqa: S105 (a throwaway test cloud)
AUTH_URL = 'http://127.0.0.1:%d/v3' % PORTS['keystone']
USERS = {
    # name: (password, project, roles)
    'cinder': ('cinder-pass', 'service', ('admin', 'service')),
    'nova': ('nova-pass', 'service', ('admin', 'service')),
    'neutron': ('neutron-pass', 'service', ('admin', 'service')),
    'placement': ('placement-pass', 'service', ('admin', 'service')),
    'glance': ('glance-pass', 'service', ('admin', 'service')),
    'barbican': ('barbican-pass', 'service', ('admin', 'service')),
    # admin in its project: Keystone lets only a trust's trustor or an
    # admin revoke it, and XMS revokes the trusts of finished jobs.
    'xms': ('xms-pass', 'service', ('member', 'service', 'admin')),
    'alice': ('alice-pass', 'tenant1', ('member',)),
    'bob': ('bob-pass', 'tenant1', ('reader',)),
}
FLAVORS = [('m1.tiny', 1, 512, 1), ('m1.small', 1, 2048, 1),
           ('m1.medium', 2, 4096, 1), ('m1.large', 4, 8192, 1)]
COMPUTE_HOST = 'xmsmc-compute1'


def venv(name):
    return os.path.join(CACHE, 'venv-' + name)


def log(msg, *args):
    print('minicloud: ' + (msg % args if args else msg), flush=True)


def db_url(name):
    return DB_URL.rstrip('/') + '/' + DB_PREFIX + name


# ----------------------------------------------------------------- configs

def authtoken(user):
    return textwrap.dedent('''\
        [keystone_authtoken]
        www_authenticate_uri = {auth}
        auth_url = {auth}
        auth_type = password
        project_domain_id = default
        user_domain_id = default
        project_name = service
        username = {user}
        password = {pw}
        service_token_roles_required = true
        ''').format(auth=AUTH_URL, user=user, pw=USERS[user][0])


def password_section(name, user):
    return textwrap.dedent('''\
        [{name}]
        auth_type = password
        auth_url = {auth}
        project_domain_id = default
        user_domain_id = default
        project_name = service
        username = {user}
        password = {pw}
        region_name = {region}
        ''').format(name=name, auth=AUTH_URL, user=user,
                    pw=USERS[user][0], region=REGION)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def write_configs():
    etc = os.path.join(LAB, 'etc')
    logs = os.path.join(LAB, 'logs')
    os.makedirs(logs, exist_ok=True)
    for svc in ('keystone', 'cinder', 'placement', 'nova', 'neutron',
                'glance'):
        os.makedirs(os.path.join(etc, svc), exist_ok=True)
    # Keystone
    write(os.path.join(etc, 'keystone', 'keystone.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        log_file = {logs}/keystone-app.log
        [database]
        connection = {db}
        [token]
        provider = fernet
        [fernet_tokens]
        key_repository = {etc}/keystone/fernet-keys
        [credential]
        key_repository = {etc}/keystone/credential-keys
        [cache]
        enabled = false
        [identity]
        # Test users only: cheap hashes keep user creation fast.
        password_hash_rounds = 4
        ''').format(logs=logs, db=db_url('keystone'), etc=etc))
    # Cinder
    cinder_state = os.path.join(LAB, 'cinder-state')
    shutil.copy(os.path.join(venv('cinder'), 'etc', 'cinder',
                             'api-paste.ini'),
                os.path.join(etc, 'cinder-api-paste.ini'))
    shutil.copy(os.path.join(venv('cinder'), 'etc', 'cinder',
                             'resource_filters.json'),
                os.path.join(etc, 'cinder', 'resource_filters.json'))
    write(os.path.join(etc, 'cinder', 'cinder.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        transport_url = {transport}
        auth_strategy = keystone
        enabled_backends = file
        default_volume_type = __DEFAULT__
        state_path = {state}
        api_paste_config = {etc}/cinder-api-paste.ini
        resource_query_filters_file = {etc}/cinder/resource_filters.json
        my_ip = 127.0.0.1
        host = xmsmc-cinder
        periodic_interval = 5
        report_interval = 5
        [database]
        connection = {db}
        [oslo_concurrency]
        lock_path = {state}/lock
        [file]
        volume_driver = xms_file_volume_driver.FileVolumeDriver
        volume_backend_name = file
        file_volume_dir = {state}/files
        [cinder_sys_admin]
        helper_command = {helper}
        [privsep_osbrick]
        helper_command = {helper}
        ''').format(transport=TRANSPORT, state=cinder_state, etc=etc,
                    db=db_url('cinder'),
                    helper='%s/bin/privsep-helper --config-file '
                    '%s/cinder/cinder.conf' % (venv('cinder'), etc))
        + authtoken('cinder'))
    # Placement
    write(os.path.join(etc, 'placement', 'placement.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        log_file = {logs}/placement-app.log
        [api]
        auth_strategy = keystone
        [placement_database]
        connection = {db}
        ''').format(logs=logs, db=db_url('placement'))
        + authtoken('placement'))
    # Glance (file store): Nova's compute manager needs an image
    # endpoint even to boot from volume.
    glance_state = os.path.join(LAB, 'glance-state')
    shutil.copy(os.path.join(venv('nova'), 'etc', 'glance',
                             'glance-api-paste.ini'),
                os.path.join(etc, 'glance', 'glance-api-paste.ini'))
    write(os.path.join(etc, 'glance', 'glance-api.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        log_file = {logs}/glance-app.log
        bind_host = 127.0.0.1
        bind_port = {port}
        enabled_backends = fs:file
        worker_self_reference_url = http://127.0.0.1:{port}
        [glance_store]
        default_backend = fs
        [fs]
        filesystem_store_datadir = {state}/images
        [os_glance_staging_store]
        filesystem_store_datadir = {state}/staging
        [os_glance_tasks_store]
        filesystem_store_datadir = {state}/tasks
        [database]
        connection = {db}
        [paste_deploy]
        flavor = keystone
        config_file = {etc}/glance/glance-api-paste.ini
        [oslo_concurrency]
        lock_path = {state}/lock
        ''').format(logs=logs, port=PORTS['glance'], state=glance_state,
                    db=db_url('glance'), etc=etc)
        + authtoken('glance'))
    # Nova
    nova_state = os.path.join(LAB, 'nova-state')
    shutil.copy(os.path.join(venv('nova'), 'etc', 'nova', 'api-paste.ini'),
                os.path.join(etc, 'nova', 'api-paste.ini'))
    write(os.path.join(etc, 'nova', 'nova.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        transport_url = {transport}
        compute_driver = fake.FakeDriverWithoutFakeNodes
        my_ip = 127.0.0.1
        host = {host}
        state_path = {state}
        log_file = {logs}/nova-app.log
        vif_plugging_is_fatal = false
        vif_plugging_timeout = 0
        [api]
        auth_strategy = keystone
        [wsgi]
        api_paste_config = {etc}/nova/api-paste.ini
        [api_database]
        connection = {api_db}
        [database]
        connection = {db}
        [conductor]
        workers = 1
        [scheduler]
        workers = 1
        discover_hosts_in_cells_interval = 2
        [vnc]
        enabled = false
        [oslo_concurrency]
        lock_path = {state}/lock
        [glance]
        region_name = {region}
        [cinder]
        os_region_name = {region}
        catalog_info = block-storage::publicURL
        [service_user]
        send_service_user_token = true
        ''').format(transport=TRANSPORT, host=COMPUTE_HOST, state=nova_state,
                    logs=logs, etc=etc, api_db=db_url('nova_api'),
                    db=db_url('nova'), region=REGION)
        + password_section('service_user', 'nova').split('\n', 1)[1]
        + password_section('placement', 'placement')
        + password_section('neutron', 'neutron')
        + authtoken('nova'))
    # Neutron
    neutron_state = os.path.join(LAB, 'neutron-state')
    shutil.copy(os.path.join(venv('neutron'), 'etc', 'neutron',
                             'api-paste.ini'),
                os.path.join(etc, 'neutron-api-paste.ini'))
    write(os.path.join(etc, 'neutron', 'neutron.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        core_plugin = ml2
        service_plugins =
        auth_strategy = keystone
        transport_url = {transport}
        state_path = {state}
        api_paste_config = {etc}/neutron-api-paste.ini
        notify_nova_on_port_status_changes = false
        notify_nova_on_port_data_changes = false
        dhcp_agent_notification = false
        api_workers = 1
        rpc_workers = 0
        [database]
        connection = {db}
        [oslo_concurrency]
        lock_path = {state}/lock
        ''').format(transport=TRANSPORT, state=neutron_state, etc=etc,
                    db=db_url('neutron'))
        + password_section('nova', 'nova')
        + authtoken('neutron'))
    write(os.path.join(etc, 'neutron', 'ml2_conf.ini'), textwrap.dedent(
        '''\
        [ml2]
        type_drivers = flat
        tenant_network_types =
        mechanism_drivers = xms_fake
        extension_drivers = port_security
        [ml2_type_flat]
        flat_networks = *
        [securitygroup]
        enable_security_group = true
        '''))
    for d in (cinder_state, nova_state, neutron_state, glance_state):
        os.makedirs(os.path.join(d, 'lock'), exist_ok=True)


def register_neutron_plugin():
    """Make the test mechanism driver loadable by name in the venv."""
    site = subprocess.check_output(
        [os.path.join(venv('neutron'), 'bin', 'python'), '-c',
         'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        text=True).strip()
    write(os.path.join(site, 'xms_minicloud_plugins.pth'), PLUGINS + '\n')
    dist = os.path.join(site, 'xms_minicloud_plugins-0.0.0.dist-info')
    write(os.path.join(dist, 'METADATA'),
          'Metadata-Version: 2.1\nName: xms-minicloud-plugins\n'
          'Version: 0.0.0\n')
    write(os.path.join(dist, 'entry_points.txt'),
          '[neutron.ml2.mechanism_drivers]\n'
          'xms_fake = xms_fake_mech_driver:FakeMechanismDriver\n')


# ---------------------------------------------------------------- processes

def _pids():
    try:
        with open(STATE) as f:
            return json.load(f).get('pids', {})
    except (FileNotFoundError, ValueError):
        pass
    try:
        with open(os.path.join(LAB, 'pids.json')) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}


def _save_pids(pids):
    write(os.path.join(LAB, 'pids.json'), json.dumps(pids))


def spawn(pids, name, argv, env=None):
    full_env = dict(os.environ)
    full_env.pop('PYTHONPATH', None)
    full_env.update(env or {})
    out = open(os.path.join(LAB, 'logs', name + '.log'), 'ab')
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=full_env,
                            cwd=LAB, start_new_session=True)
    pids[name] = proc.pid
    _save_pids(pids)
    return proc


def run(argv, env=None):
    full_env = dict(os.environ)
    full_env.pop('PYTHONPATH', None)
    full_env.update(env or {})
    t0 = time.monotonic()
    res = subprocess.run(argv, env=full_env, cwd=LAB, capture_output=True,
                         text=True)
    if res.returncode:
        raise RuntimeError('%s failed (%s):\n%s%s' % (
            ' '.join(argv), res.returncode, res.stdout[-3000:],
            res.stderr[-3000:]))
    return time.monotonic() - t0


def run_parallel(chains):
    """Run chains of commands (or callables), the chains side by side."""
    import concurrent.futures

    def chain(argvs):
        if callable(argvs):
            return argvs()
        for argv in argvs:
            run(argv)
    with concurrent.futures.ThreadPoolExecutor(len(chains)) as pool:
        for future in [pool.submit(chain, c) for c in chains]:
            future.result()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def stop():
    pids = _pids()
    for pid in pids.values():
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            continue
    deadline = time.monotonic() + 15
    for pid in pids.values():
        while alive(pid) and time.monotonic() < deadline:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.2)
        if alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
    for path in (STATE, os.path.join(LAB, 'pids.json')):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    if pids:
        log('stopped %s', ', '.join(sorted(pids)))


def tail(name, lines=40):
    try:
        with open(os.path.join(LAB, 'logs', name + '.log'), 'rb') as f:
            return b''.join(f.readlines()[-lines:]).decode('utf-8',
                                                           'replace')
    except FileNotFoundError:
        return ''


def wait_http(name, port, pids, path='/', timeout=180):
    import urllib.error
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pids[name]):
            raise RuntimeError('%s died:\n%s' % (name, tail(name)))
        try:
            urllib.request.urlopen(  # noqa: S310 (http on loopback)
                'http://127.0.0.1:%d%s' % (port, path), timeout=5)
            return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError('%s did not answer on port %d:\n%s'
                       % (name, port, tail(name)))


def serve(pids, name, port, target, argv=(), env=None, venv_name=None):
    py = os.path.join(venv(venv_name or name), 'bin', 'python')
    return spawn(pids, name + '-api',
                 [py, os.path.join(HERE, 'serve.py'), str(port), target]
                 + list(argv), env=env)


# ------------------------------------------------------------------- setup

def create_databases():
    import sqlalchemy as sa
    engine = sa.create_engine(DB_URL)
    with engine.connect() as conn:
        for name in DBS:
            conn.execute(sa.text('DROP DATABASE IF EXISTS `%s%s`'
                                 % (DB_PREFIX, name)))
            conn.execute(sa.text('CREATE DATABASE `%s%s` CHARACTER SET utf8'
                                 % (DB_PREFIX, name)))
    engine.dispose()


def drop_databases():
    import sqlalchemy as sa
    engine = sa.create_engine(DB_URL)
    with engine.connect() as conn:
        for name in DBS:
            conn.execute(sa.text('DROP DATABASE IF EXISTS `%s%s`'
                                 % (DB_PREFIX, name)))
    engine.dispose()


def admin_conn():
    import openstack
    return openstack.connect(
        auth_url=AUTH_URL, username='admin', password=ADMIN_PASSWORD,
        project_name='admin', user_domain_id='default',
        project_domain_id='default', region_name=REGION,
        identity_interface='public', load_yaml_config=False,
        load_envvars=False)


def register_identity(conn):
    ids = {'projects': {}, 'users': {}}
    ident = conn.identity
    roles = {r.name: r for r in ident.roles()}
    if 'service' not in roles:
        roles['service'] = ident.create_role(name='service')
    for name in ('service', 'tenant1'):
        ids['projects'][name] = ident.create_project(
            name=name, domain_id='default').id
    for user, (password, project, user_roles) in USERS.items():
        u = ident.create_user(name=user, password=password,
                              domain_id='default')
        ids['users'][user] = u.id
        for role in user_roles:
            ident.assign_project_role_to_user(ids['projects'][project], u,
                                              roles[role])
    services = [
        ('cinderv3', 'block-storage', 'http://127.0.0.1:%d/v3/%%(project_id)s'
         % PORTS['cinder']),
        ('cinder', 'volumev3', 'http://127.0.0.1:%d/v3/%%(project_id)s'
         % PORTS['cinder']),
        ('nova', 'compute', 'http://127.0.0.1:%d/v2.1' % PORTS['nova']),
        ('placement', 'placement', 'http://127.0.0.1:%d'
         % PORTS['placement']),
        ('neutron', 'network', 'http://127.0.0.1:%d' % PORTS['neutron']),
        ('glance', 'image', 'http://127.0.0.1:%d' % PORTS['glance']),
    ]
    for name, stype, url in services:
        svc = ident.create_service(name=name, type=stype)
        for interface in ('public', 'internal'):
            ident.create_endpoint(service_id=svc.id, interface=interface,
                                  url=url, region_id=REGION)
    return ids


def post_setup(conn, ids):
    result = {}
    for name, vcpus, ram, disk in FLAVORS:
        conn.compute.create_flavor(name=name, vcpus=vcpus, ram=ram,
                                   disk=disk)
    net = conn.network.create_network(
        name='xmsmc-net', project_id=ids['projects']['tenant1'],
        provider_network_type='flat', provider_physical_network='physnet1')
    subnet = conn.network.create_subnet(
        network_id=net.id, name='xmsmc-subnet', ip_version=4,
        cidr='10.99.0.0/24', project_id=ids['projects']['tenant1'])
    result['network'] = {'id': net.id, 'name': net.name,
                         'subnet_id': subnet.id}
    vtype = conn.block_storage.create_type(
        name='xms-fast', extra_specs={'volume_backend_name': 'file'})
    result['volume_type'] = {'id': vtype.id, 'name': vtype.name}
    return result


def wait_services(conn, timeout=180):
    deadline = time.monotonic() + timeout
    cinder_up = nova_up = False
    while time.monotonic() < deadline:
        if not cinder_up:
            resp = conn.block_storage.get('/os-services')
            cinder_up = any(s['binary'] == 'cinder-volume' and
                            s['state'] == 'up'
                            for s in resp.json().get('services', []))
        if not nova_up:
            nova_up = any(s.binary == 'nova-compute' and s.state == 'up'
                          for s in conn.compute.services())
        if cinder_up and nova_up:
            return
        time.sleep(1)
    raise RuntimeError('services not up (cinder-volume %s, nova-compute '
                       '%s)' % (cinder_up, nova_up))


def wait_hypervisor(conn, timeout=120):
    nm = [os.path.join(venv('nova'), 'bin', 'nova-manage'),
          '--config-file', os.path.join(LAB, 'etc', 'nova', 'nova.conf')]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run(nm + ['cell_v2', 'discover_hosts'])
        if list(conn.compute.hypervisors()):
            return
        time.sleep(1)
    raise RuntimeError('no hypervisor registered')


def start():
    t_start = time.monotonic()
    timings = {}
    stop()
    if os.path.isdir(LAB):
        shutil.rmtree(LAB)
    os.makedirs(os.path.join(LAB, 'logs'))
    for name in ('keystone', 'cinder', 'nova', 'neutron'):
        if not os.path.isdir(venv(name)):
            raise SystemExit('minicloud: %s is not installed; run '
                             'tools/minicloud/install.sh' % venv(name))
    pids = {}
    t0 = time.monotonic()
    create_databases()
    write_configs()
    register_neutron_plugin()
    etc = os.path.join(LAB, 'etc')
    bin_ = {n: os.path.join(venv(n), 'bin') for n in
            ('keystone', 'cinder', 'nova', 'neutron')}
    km = [bin_['keystone'] + '/keystone-manage', '--config-file',
          etc + '/keystone/keystone.conf']
    os.makedirs(etc + '/keystone/fernet-keys')
    os.makedirs(etc + '/keystone/credential-keys')
    nova_conf = etc + '/nova/nova.conf'
    nm = [bin_['nova'] + '/nova-manage', '--config-file', nova_conf]
    ids = {}

    def keystone_chain():
        # Keystone first: database, keys, bootstrap, server, catalog.
        # The other services' database syncs run meanwhile.
        t = time.monotonic()
        run(km + ['db_sync'])
        run(km + ['fernet_setup', '--keystone-user', 'root',
                  '--keystone-group', 'root'])
        run(km + ['credential_setup', '--keystone-user', 'root',
                  '--keystone-group', 'root'])
        run(km + ['bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                  '--bootstrap-region-id', REGION,
                  '--bootstrap-admin-url', AUTH_URL,
                  '--bootstrap-internal-url', AUTH_URL,
                  '--bootstrap-public-url', AUTH_URL])
        timings['keystone_db'] = time.monotonic() - t
        serve(pids, 'keystone', PORTS['keystone'],
              'keystone.wsgi.api:application',
              env={'OS_KEYSTONE_CONFIG_DIR': etc + '/keystone'})
        wait_http('keystone-api', PORTS['keystone'], pids, '/v3')
        ids.update(register_identity(admin_conn()))
        timings['keystone_total'] = time.monotonic() - t

    chains = [
        keystone_chain,
        [[bin_['cinder'] + '/cinder-manage', '--config-file',
          etc + '/cinder/cinder.conf', 'db', 'sync'],
         [bin_['nova'] + '/placement-manage', '--config-file',
          etc + '/placement/placement.conf', 'db', 'sync']],
        [nm + ['api_db', 'sync'],
         nm + ['cell_v2', 'map_cell0', '--database_connection',
               db_url('nova_cell0')],
         nm + ['cell_v2', 'create_cell', '--name', 'cell1'],
         nm + ['db', 'sync']],
        [[bin_['neutron'] + '/neutron-db-manage', '--config-file',
          etc + '/neutron/neutron.conf', '--config-file',
          etc + '/neutron/ml2_conf.ini', 'upgrade', 'head'],
         [bin_['nova'] + '/glance-manage', '--config-file',
          etc + '/glance/glance-api.conf', 'db_sync']],
    ]
    run_parallel(chains)
    timings['db_sync_and_keystone'] = time.monotonic() - t0

    t0 = time.monotonic()
    serve(pids, 'cinder', PORTS['cinder'], 'cinder.wsgi.api:application',
          ['--config-file', etc + '/cinder/cinder.conf'])
    serve(pids, 'placement', PORTS['placement'],
          'placement.wsgi.api:application', venv_name='nova',
          env={'OS_PLACEMENT_CONFIG_DIR': etc + '/placement'})
    serve(pids, 'nova', PORTS['nova'],
          'nova.wsgi.osapi_compute:application',
          env={'OS_NOVA_CONFIG_DIR': etc + '/nova'})
    serve(pids, 'neutron', PORTS['neutron'],
          'neutron.wsgi.api:application',
          ['--config-file', etc + '/neutron/neutron.conf',
           '--config-file', etc + '/neutron/ml2_conf.ini'])
    serve(pids, 'glance', PORTS['glance'], 'glance.wsgi.api:application',
          venv_name='nova',
          env={'OS_GLANCE_CONFIG_DIR': etc + '/glance'})
    cinder_conf = ['--config-file', etc + '/cinder/cinder.conf']
    spawn(pids, 'cinder-scheduler',
          [bin_['cinder'] + '/cinder-scheduler'] + cinder_conf)
    spawn(pids, 'cinder-volume',
          [bin_['cinder'] + '/cinder-volume'] + cinder_conf,
          env={'PYTHONPATH': PLUGINS})
    for svc in ('conductor', 'scheduler', 'compute'):
        spawn(pids, 'nova-' + svc,
              [bin_['nova'] + '/nova-' + svc, '--config-file', nova_conf])
    for name in ('cinder', 'placement', 'nova', 'neutron', 'glance'):
        wait_http(name + '-api', PORTS[name], pids)
    timings['apis_up'] = time.monotonic() - t0

    t0 = time.monotonic()
    conn = admin_conn()
    wait_services(conn)
    wait_hypervisor(conn)
    extra = post_setup(conn, ids)
    timings['services_ready'] = time.monotonic() - t0
    t0 = time.monotonic()
    barbican = start_barbican(pids, conn)
    timings['barbican'] = time.monotonic() - t0
    timings['total'] = time.monotonic() - t_start
    state = {
        'auth_url': AUTH_URL,
        'region_name': REGION,
        'admin': {'username': 'admin', 'password': ADMIN_PASSWORD,
                  'project_name': 'admin'},
        'users': {u: {'id': ids['users'][u], 'password': USERS[u][0],
                      'project_name': USERS[u][1],
                      'project_id': ids['projects'][USERS[u][1]]}
                  for u in USERS},
        'projects': ids['projects'],
        'network': extra['network'],
        'volume_type': extra['volume_type'],
        'cinder_volume_dir': os.path.join(LAB, 'cinder-state', 'files'),
        'compute_host': COMPUTE_HOST,
        'barbican': barbican,
        'pids': pids,
        'timings': {k: round(v, 1) for k, v in timings.items()},
    }
    write(STATE, json.dumps(state, indent=1))
    log('up in %.1f s (%s)', timings['total'], ', '.join(
        '%s %.1f s' % kv for kv in timings.items() if kv[0] != 'total'))
    return state


def _barbican_conf():
    """Barbican's configuration, in the HOME it runs with: its crypto
    plugins read only the default configuration files."""
    from cryptography import fernet
    home = os.path.join(LAB, 'barbican-home')
    write(os.path.join(home, '.barbican', 'barbican.conf'), textwrap.dedent(
        '''\
        [DEFAULT]
        sql_connection = {db}
        db_auto_create = true
        host_href = http://127.0.0.1:{port}
        transport_url = {transport}
        [secretstore]
        enabled_secretstore_plugins = store_crypto
        [crypto]
        enabled_crypto_plugins = simple_crypto
        [simple_crypto_plugin]
        kek = {kek}
        [oslo_policy]
        enforce_new_defaults = true
        enforce_scope = false
        ''').format(db=db_url('barbican'), port=PORTS['barbican'],
                    transport=TRANSPORT,
                    kek=fernet.Fernet.generate_key().decode())
        + authtoken('barbican'))
    paste = os.path.join(venv('barbican'), 'etc', 'barbican',
                         'barbican-api-paste.ini')
    with open(paste) as f:
        text = f.read().replace('/etc/barbican/', home + '/')
    write(os.path.join(home, 'barbican-api-paste.ini'), text)
    return home


def start_barbican(pids, conn):
    """Start Barbican beside a running Keystone; returns its state.

    Idempotent on the Keystone side (user, roles, catalog entry), so
    ``ensure`` can add it to a mini-cloud started without it.
    """
    import sqlalchemy as sa
    if not os.path.isdir(venv('barbican')):
        raise SystemExit('minicloud: %s is not installed; run '
                         'tools/minicloud/install.sh' % venv('barbican'))
    engine = sa.create_engine(DB_URL)
    with engine.connect() as c:
        c.execute(sa.text('DROP DATABASE IF EXISTS `%sbarbican`'
                          % DB_PREFIX))
        c.execute(sa.text('CREATE DATABASE `%sbarbican` CHARACTER SET utf8'
                          % DB_PREFIX))
    engine.dispose()
    ident = conn.identity
    password, project_name, roles = USERS['barbican']
    user = ident.find_user('barbican', domain_id='default')
    if user is None:
        user = ident.create_user(name='barbican', password=password,
                                 domain_id='default')
    project = ident.find_project(project_name, domain_id='default')
    for role in roles:
        ident.assign_project_role_to_user(project, user,
                                          ident.find_role(role))
    url = 'http://127.0.0.1:%d' % PORTS['barbican']
    if ident.find_service('barbican') is None:
        svc = ident.create_service(name='barbican', type='key-manager')
        for interface in ('public', 'internal'):
            ident.create_endpoint(service_id=svc.id, interface=interface,
                                  url=url, region_id=REGION)
    home = _barbican_conf()
    serve(pids, 'barbican', PORTS['barbican'], 'barbican_app:application',
          [os.path.join(home, 'barbican-api-paste.ini')],
          env={'HOME': home})
    wait_http('barbican-api', PORTS['barbican'], pids)
    return {'url': url, 'user_id': user.id, 'password': password}


def ensure_barbican(state):
    """Add Barbican to a mini-cloud started by an older minicloud.py."""
    if state.get('barbican') and alive(state['pids'].get('barbican-api',
                                                         -1)):
        return state
    pids = state['pids']
    state['barbican'] = start_barbican(pids, admin_conn())
    state['users']['barbican'] = {
        'id': state['barbican']['user_id'], 'password': USERS['barbican'][0],
        'project_name': 'service',
        'project_id': state['projects']['service']}
    write(STATE, json.dumps(state, indent=1))
    log('barbican added on port %d', PORTS['barbican'])
    return state


def status():
    try:
        with open(STATE) as f:
            state = json.load(f)
    except (FileNotFoundError, ValueError):
        return None
    if not all(alive(p) for p in state['pids'].values()):
        return None
    import urllib.request
    try:
        urllib.request.urlopen(state['auth_url'],  # noqa: S310
                               timeout=5)
    except OSError:
        return None
    return state


def main(argv):
    cmd = argv[1] if len(argv) > 1 else 'status'
    if cmd == 'install':
        t0 = time.monotonic()
        subprocess.check_call([os.path.join(HERE, 'install.sh')])
        log('installed in %.1f s', time.monotonic() - t0)
    elif cmd == 'start':
        try:
            start()
        except Exception:
            stop()
            raise
    elif cmd == 'ensure':
        state = status()
        if state is None:
            start()
        else:
            ensure_barbican(state)
            log('already running')
    elif cmd == 'stop':
        stop()
    elif cmd == 'purge':
        stop()
        drop_databases()
        shutil.rmtree(LAB, ignore_errors=True)
    elif cmd == 'status':
        state = status()
        log('up' if state else 'down')
        return 0 if state else 1
    elif cmd == 'env':
        print(json.dumps(status(), indent=1))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
