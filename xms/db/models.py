"""SQLAlchemy models of the XMS database.

The schema is created and upgraded by the alembic migrations in
``xms/db/migrations`` only; a functional test checks that these models and
the migrations agree on SQLite and MariaDB. TaskFlow's own persistence
tables (logbooks, flowdetails, atomdetails) live in the same database and
are created by ``xms-manage db sync`` from TaskFlow's migrations.

Every user-visible row has an integer primary key for joins and a UUID for
the API. JSON columns hold small structured values (target specs, scores,
checkpoints); nothing secret is ever stored unencrypted.
"""

from oslo_db.sqlalchemy import models
from oslo_db.sqlalchemy import types as db_types
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

# Alembic version table of XMS: TaskFlow's migrations use alembic's default
# table name in the same database.
VERSION_TABLE = 'xms_alembic_version'


class XmsBase(models.TimestampMixin, models.ModelBase):
    """Base of every XMS model: created_at/updated_at and dict access."""

    def as_dict(self):
        return {c.name: getattr(self, c.name) for c in self.__table__.columns}


Base = orm.declarative_base(cls=XmsBase)


def _uuid_column():
    return sa.Column(sa.String(36), nullable=False, unique=True)


class Source(Base):
    """A vCenter or standalone ESXi endpoint registered by a project."""

    __tablename__ = 'sources'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'name',
                            name='uniq_sources0project_id0name'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    name = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(32), nullable=False, default='vmware')
    host = sa.Column(sa.String(255), nullable=False)
    port = sa.Column(sa.Integer, nullable=False, default=443)
    username = sa.Column(sa.String(255), nullable=False)
    # Ciphertext only (xms.common.credentials); never the password itself.
    password_encrypted = sa.Column(sa.Text, nullable=False)
    datacenter = sa.Column(sa.String(255), nullable=True)
    verify_tls = sa.Column(sa.Boolean, nullable=False, default=True)
    ca_cert = sa.Column(sa.Text, nullable=True)
    thumbprint = sa.Column(sa.String(95), nullable=True)
    status = sa.Column(sa.String(32), nullable=False, default='unknown')
    status_reason = sa.Column(sa.Text, nullable=True)
    status_checked_at = sa.Column(sa.DateTime, nullable=True)
    product_name = sa.Column(sa.String(255), nullable=True)
    product_version = sa.Column(sa.String(64), nullable=True)
    product_build = sa.Column(sa.String(64), nullable=True)
    api_type = sa.Column(sa.String(32), nullable=True)
    discovery_status = sa.Column(sa.String(32), nullable=False,
                                 default='never')
    discovery_started_at = sa.Column(sa.DateTime, nullable=True)
    discovery_finished_at = sa.Column(sa.DateTime, nullable=True)
    discovery_error = sa.Column(sa.Text, nullable=True)


class Vm(Base):
    """A virtual machine found on a source by discovery."""

    __tablename__ = 'vms'
    __table_args__ = (
        sa.UniqueConstraint('source_id', 'moref',
                            name='uniq_vms0source_id0moref'),
        sa.Index('vms_source_id_name_idx', 'source_id', 'name'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    source_id = sa.Column(sa.Integer,
                          sa.ForeignKey('sources.id', ondelete='CASCADE'),
                          nullable=False)
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    moref = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    bios_uuid = sa.Column(sa.String(36), nullable=True)
    instance_uuid = sa.Column(sa.String(36), nullable=True)
    power_state = sa.Column(sa.String(32), nullable=True)
    guest_id = sa.Column(sa.String(64), nullable=True)
    guest_family = sa.Column(sa.String(64), nullable=True)
    guest_full_name = sa.Column(sa.String(255), nullable=True)
    firmware = sa.Column(sa.String(16), nullable=True)
    secure_boot = sa.Column(sa.Boolean, nullable=True)
    hardware_version = sa.Column(sa.String(16), nullable=True)
    num_cpus = sa.Column(sa.Integer, nullable=True)
    cores_per_socket = sa.Column(sa.Integer, nullable=True)
    memory_mb = sa.Column(sa.Integer, nullable=True)
    cbt_enabled = sa.Column(sa.Boolean, nullable=True)
    snapshot_count = sa.Column(sa.Integer, nullable=False, default=0)
    consolidation_needed = sa.Column(sa.Boolean, nullable=True)
    tools_status = sa.Column(sa.String(64), nullable=True)
    tools_version = sa.Column(sa.String(64), nullable=True)
    esxi_host = sa.Column(sa.String(255), nullable=True)
    cluster = sa.Column(sa.String(255), nullable=True)
    folder = sa.Column(sa.String(1024), nullable=True)
    datacenter = sa.Column(sa.String(255), nullable=True)
    # Latest preflight verdict, denormalised for filtering the inventory.
    verdict = sa.Column(sa.String(16), nullable=True)
    # A rescan that no longer sees the VM marks it missing instead of
    # deleting it: jobs and preflights may still refer to it.
    missing = sa.Column(sa.Boolean, nullable=False, default=False)
    last_seen_at = sa.Column(sa.DateTime, nullable=True)

    disks = orm.relationship('VmDisk', cascade='all, delete-orphan',
                             order_by='VmDisk.device_key',
                             lazy='selectin')
    nics = orm.relationship('VmNic', cascade='all, delete-orphan',
                            order_by='VmNic.device_key',
                            lazy='selectin')


class VmDisk(Base):
    """A virtual disk of a discovered VM."""

    __tablename__ = 'vm_disks'
    __table_args__ = (
        sa.UniqueConstraint('vm_id', 'device_key',
                            name='uniq_vm_disks0vm_id0device_key'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    vm_id = sa.Column(sa.Integer, sa.ForeignKey('vms.id', ondelete='CASCADE'),
                      nullable=False)
    device_key = sa.Column(sa.Integer, nullable=False)
    label = sa.Column(sa.String(255), nullable=True)
    capacity_bytes = sa.Column(sa.BigInteger, nullable=False, default=0)
    datastore = sa.Column(sa.String(255), nullable=True)
    file_name = sa.Column(sa.String(1024), nullable=True)
    controller_type = sa.Column(sa.String(64), nullable=True)
    controller_key = sa.Column(sa.Integer, nullable=True)
    unit_number = sa.Column(sa.Integer, nullable=True)
    disk_mode = sa.Column(sa.String(64), nullable=True)
    sharing = sa.Column(sa.String(64), nullable=True)
    thin_provisioned = sa.Column(sa.Boolean, nullable=True)
    is_rdm = sa.Column(sa.Boolean, nullable=False, default=False)
    backing_uuid = sa.Column(sa.String(64), nullable=True)


class VmNic(Base):
    """A network adapter of a discovered VM."""

    __tablename__ = 'vm_nics'
    __table_args__ = (
        sa.UniqueConstraint('vm_id', 'device_key',
                            name='uniq_vm_nics0vm_id0device_key'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    vm_id = sa.Column(sa.Integer, sa.ForeignKey('vms.id', ondelete='CASCADE'),
                      nullable=False)
    device_key = sa.Column(sa.Integer, nullable=False)
    label = sa.Column(sa.String(255), nullable=True)
    network_name = sa.Column(sa.String(255), nullable=True)
    network_moref = sa.Column(sa.String(64), nullable=True)
    mac_address = sa.Column(sa.String(32), nullable=True)
    adapter_type = sa.Column(sa.String(64), nullable=True)
    connected = sa.Column(sa.Boolean, nullable=True)


class Preflight(Base):
    """One read-only assessment of one VM for a mode and a target spec."""

    __tablename__ = 'preflights'
    __table_args__ = (
        sa.Index('preflights_vm_id_created_at_idx', 'vm_id', 'created_at'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    project_id = sa.Column(sa.String(64), nullable=False, index=True)
    vm_id = sa.Column(sa.Integer, sa.ForeignKey('vms.id', ondelete='CASCADE'),
                      nullable=False)
    mode = sa.Column(sa.String(16), nullable=False)
    target_spec = sa.Column(db_types.JsonEncodedDict, nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default='pending')
    verdict = sa.Column(sa.String(16), nullable=True)
    # Digest of the inventory the checks read (xms.db.api.vm_fingerprint):
    # the verdict holds only while the VM's fingerprint is still this one.
    vm_fingerprint = sa.Column(sa.String(64), nullable=True)
    scores = sa.Column(db_types.JsonEncodedDict, nullable=True)
    checks = sa.Column(db_types.JsonEncodedList, nullable=True)
    error = sa.Column(sa.Text, nullable=True)
    finished_at = sa.Column(sa.DateTime, nullable=True)


class Job(Base):
    """One migration of one VM into a target project."""

    __tablename__ = 'jobs'
    __table_args__ = (
        sa.Index('jobs_project_id_state_idx', 'project_id', 'state'),
        sa.Index('jobs_state_next_sync_at_idx', 'state', 'next_sync_at'),
        sa.UniqueConstraint('active_vm_id', name='uniq_jobs0active_vm_id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    project_id = sa.Column(sa.String(64), nullable=False)
    user_id = sa.Column(sa.String(64), nullable=True)
    trust_id = sa.Column(sa.String(64), nullable=True)
    # A finished job's record outlives its source and VM (deleting a
    # source is refused only while unfinished jobs use it), hence SET NULL
    # and the VM's name kept on the job.
    source_id = sa.Column(sa.Integer,
                          sa.ForeignKey('sources.id', ondelete='SET NULL'),
                          nullable=True)
    vm_id = sa.Column(sa.Integer,
                      sa.ForeignKey('vms.id', ondelete='SET NULL'),
                      nullable=True)
    vm_name = sa.Column(sa.String(255), nullable=True)
    # The VM while this job claims it, NULL once the job is completed or
    # cancelled (states.VM_RELEASED_STATES): the unique constraint on it
    # is what allows at most one active job per VM.
    active_vm_id = sa.Column(sa.Integer,
                             sa.ForeignKey('vms.id', ondelete='SET NULL',
                                           name='jobs_active_vm_id_fkey'),
                             nullable=True)
    # A wave groups the jobs submitted by one request.
    wave_id = sa.Column(sa.String(36), nullable=True, index=True)
    type = sa.Column(sa.String(16), nullable=False)
    state = sa.Column(sa.String(32), nullable=False, default='queued')
    phase = sa.Column(sa.String(32), nullable=True)
    target_spec = sa.Column(db_types.JsonEncodedDict, nullable=True)
    sync_interval = sa.Column(sa.Integer, nullable=True)
    shutdown_timeout = sa.Column(sa.Integer, nullable=True)
    keep_target = sa.Column(sa.Boolean, nullable=False, default=False)
    override_block = sa.Column(sa.Boolean, nullable=False, default=False)
    # Why an admin overrode a Block (the admin is user_id).
    override_reason = sa.Column(sa.Text, nullable=True)
    bytes_done = sa.Column(sa.BigInteger, nullable=False, default=0)
    bytes_total = sa.Column(sa.BigInteger, nullable=False, default=0)
    rate_bps = sa.Column(sa.BigInteger, nullable=True)
    eta_seconds = sa.Column(sa.Integer, nullable=True)
    last_sync_at = sa.Column(sa.DateTime, nullable=True)
    next_sync_at = sa.Column(sa.DateTime, nullable=True)
    pending_bytes = sa.Column(sa.BigInteger, nullable=True)
    incremental_syncs = sa.Column(sa.Integer, nullable=False, default=0)
    error = sa.Column(sa.Text, nullable=True)
    # The flow running for this job, or NULL: a conditional update on this
    # column is what guarantees one flow per job at a time.
    active_flow = sa.Column(sa.String(64), nullable=True)
    failed_flow = sa.Column(sa.String(64), nullable=True)
    flow_detail_uuid = sa.Column(sa.String(36), nullable=True)
    # Failed attempts to hand the job's flow to a worker, and when the
    # conductor's scheduler posts it again (xms.conductor.scheduler).
    dispatch_attempts = sa.Column(sa.Integer, nullable=False, default=0,
                                  server_default='0')
    next_dispatch_at = sa.Column(sa.DateTime, nullable=True)
    # The claim generation of the job's flow: a worker increments it when
    # it claims the flow, and every write of that flow is conditional on
    # it (xms.common.fencing), so a worker whose claim was taken over
    # cannot commit anything for the job.
    flow_epoch = sa.Column(sa.Integer, nullable=False, default=0,
                           server_default='0')
    worker_host = sa.Column(sa.String(255), nullable=True)
    source_powered_off = sa.Column(sa.Boolean, nullable=False, default=False)
    target_resources = sa.Column(db_types.JsonEncodedDict, nullable=True)
    # The guest as copied (``inspection``) and as converted: the second
    # describes what boots, the first what conversion started from.
    inspection = sa.Column(db_types.JsonEncodedDict, nullable=True)
    inspection_converted = sa.Column(db_types.JsonEncodedDict,
                                     nullable=True)
    started_at = sa.Column(sa.DateTime, nullable=True)
    finished_at = sa.Column(sa.DateTime, nullable=True)

    disks = orm.relationship('JobDisk', cascade='all, delete-orphan',
                             order_by='JobDisk.device_key', lazy='selectin')


class JobDisk(Base):
    """Per-disk state of a job: target, change id, checkpoint, digests."""

    __tablename__ = 'job_disks'
    __table_args__ = (
        sa.UniqueConstraint('job_id', 'device_key',
                            name='uniq_job_disks0job_id0device_key'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    job_id = sa.Column(sa.Integer, sa.ForeignKey('jobs.id',
                                                 ondelete='CASCADE'),
                       nullable=False)
    device_key = sa.Column(sa.Integer, nullable=False)
    source_path = sa.Column(sa.String(1024), nullable=True)
    capacity_bytes = sa.Column(sa.BigInteger, nullable=False, default=0)
    volume_id = sa.Column(sa.String(255), nullable=True)
    volume_type = sa.Column(sa.String(255), nullable=True)
    last_change_id = sa.Column(sa.String(255), nullable=True)
    # {"plan": <plan digest>, "chunk": <index of the next chunk to copy>}
    checkpoint = sa.Column(db_types.JsonEncodedDict, nullable=True)
    bytes_done = sa.Column(sa.BigInteger, nullable=False, default=0)
    bytes_total = sa.Column(sa.BigInteger, nullable=False, default=0)
    rate_bps = sa.Column(sa.BigInteger, nullable=True)
    source_digest = sa.Column(sa.String(128), nullable=True)
    target_digest = sa.Column(sa.String(128), nullable=True)


class Sync(Base):
    """One full, incremental or final data sync of a job."""

    __tablename__ = 'syncs'
    __table_args__ = (
        sa.Index('syncs_job_id_started_at_idx', 'job_id', 'started_at'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    job_id = sa.Column(sa.Integer, sa.ForeignKey('jobs.id',
                                                 ondelete='CASCADE'),
                       nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default='running')
    started_at = sa.Column(sa.DateTime, nullable=True)
    finished_at = sa.Column(sa.DateTime, nullable=True)
    bytes_changed = sa.Column(sa.BigInteger, nullable=True)
    bytes_copied = sa.Column(sa.BigInteger, nullable=True)
    change_ids = sa.Column(db_types.JsonEncodedDict, nullable=True)
    error = sa.Column(sa.Text, nullable=True)


class Snapshot(Base):
    """A vSphere snapshot XMS created: the reaper's list until removed.

    The row is written before the CreateSnapshot task starts, so a process
    that dies before it learns the snapshot's moref still leaves a record
    (by VM and name) the reaper can act on.
    """

    __tablename__ = 'snapshots'
    __table_args__ = (
        sa.Index('snapshots_state_idx', 'state'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    source_id = sa.Column(sa.Integer, sa.ForeignKey('sources.id',
                                                    ondelete='CASCADE'),
                          nullable=False)
    job_id = sa.Column(sa.Integer, sa.ForeignKey('jobs.id',
                                                 ondelete='SET NULL'),
                       nullable=True)
    vm_moref = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    snapshot_moref = sa.Column(sa.String(64), nullable=True)
    purpose = sa.Column(sa.String(32), nullable=True)
    state = sa.Column(sa.String(16), nullable=False, default='creating')
    removed_at = sa.Column(sa.DateTime, nullable=True)


class Event(Base):
    """Something that happened to a job or a resource, for users."""

    __tablename__ = 'events'
    __table_args__ = (
        sa.Index('events_project_id_id_idx', 'project_id', 'id'),
        sa.Index('events_job_id_id_idx', 'job_id', 'id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = _uuid_column()
    project_id = sa.Column(sa.String(64), nullable=True)
    job_id = sa.Column(sa.Integer, sa.ForeignKey('jobs.id',
                                                 ondelete='CASCADE'),
                       nullable=True)
    resource_type = sa.Column(sa.String(32), nullable=False)
    resource_uuid = sa.Column(sa.String(36), nullable=True)
    event_type = sa.Column(sa.String(64), nullable=False)
    severity = sa.Column(sa.String(16), nullable=False, default='info')
    message = sa.Column(sa.Text, nullable=False)
    payload = sa.Column(db_types.JsonEncodedDict, nullable=True)


class Worker(Base):
    """A running XMS conductor or worker process and its heartbeat."""

    __tablename__ = 'workers'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_workers0host0binary'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(64), nullable=False)
    slots = sa.Column(sa.Integer, nullable=False, default=0)
    running = sa.Column(sa.Integer, nullable=False, default=0)
    version = sa.Column(sa.String(64), nullable=True)
    state = sa.Column(sa.String(16), nullable=False, default='up')
    started_at = sa.Column(sa.DateTime, nullable=True,
                           default=timeutils.utcnow)
    heartbeat_at = sa.Column(sa.DateTime, nullable=True)
