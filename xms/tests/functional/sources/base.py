"""Common set-up of the vSphere driver's functional tests.

Each test gets its own database (MariaDB, from
:class:`xms.tests.functional.base.FunctionalTestCase`), its own credential
key repository and, unless it asks otherwise, its own vcsim;
a ``Source`` row pointing at the simulator with the thumbprint pinned.
"""

from xms.common import context
from xms.common import credentials
from xms.db import api as db_api
from xms.sources import base as source_base
from xms.sources.vsphere import client
from xms.tests.functional import base
from xms.tests.functional.fixtures import vcsim


class VSphereTestCase(base.FunctionalTestCase):
    """A DB, a simulator and a source row for it."""

    #: keyword arguments of the simulator fixture; None: no simulator.
    vcsim_kwargs = {}

    def setUp(self):
        super().setUp()
        self.use_credential_keys()
        self.config(task_poll_interval=0.05, power_poll_interval=0.05,
                    group='vsphere')
        self.ctx = context.get_admin_context()
        # Sessions are cached per process: start and end each test with
        # none, so no test sees another's simulator.
        client.close_all()
        self.addCleanup(client.close_all)
        self.driver = source_base.get_driver('vmware')
        self.sim = None
        if self.vcsim_kwargs is not None:
            self.sim = self.useFixture(vcsim.VcsimFixture(
                **self.vcsim_kwargs))
            self.source = self.make_source()

    def make_source(self, sim=None, name='vc', password=None, **values):
        sim = sim or self.sim
        row = {
            'project_id': 'project-1',
            'name': name,
            'type': 'vmware',
            'host': sim.host,
            'port': sim.port,
            'username': sim.username,
            'password_encrypted': credentials.encrypt(
                password if password is not None else sim.password),
            'thumbprint': sim.thumbprint,
            'verify_tls': True,
        }
        row.update(values)
        return db_api.source_create(self.ctx, row)

    def reload_source(self, source=None):
        return db_api.source_get(self.ctx, (source or self.source).id)

    def vm_moref(self, name):
        return self.sim.find_vm(name)._moId

    def make_job(self, vm_name, state='running', source=None):
        source = source or self.source
        vm = db_api.vm_list(self.ctx, filters={'source_id': source.id,
                                               'name': vm_name})
        if not vm:
            self.driver.discover(self.ctx, source)
            vm = db_api.vm_list(self.ctx, filters={'source_id': source.id,
                                                   'name': vm_name})
        return db_api.job_create(self.ctx, {
            'project_id': source.project_id, 'source_id': source.id,
            'vm_id': vm[0].id, 'type': 'warm', 'state': state})
