"""Initial schema: every XMS table of release 1.

Revision ID: 0001
Revises:
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password_encrypted', sa.Text(), nullable=False),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('verify_tls', sa.Boolean(), nullable=False),
    sa.Column('ca_cert', sa.Text(), nullable=True),
    sa.Column('thumbprint', sa.String(length=95), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('status_checked_at', sa.DateTime(), nullable=True),
    sa.Column('product_name', sa.String(length=255), nullable=True),
    sa.Column('product_version', sa.String(length=64), nullable=True),
    sa.Column('product_build', sa.String(length=64), nullable=True),
    sa.Column('api_type', sa.String(length=32), nullable=True),
    sa.Column('discovery_status', sa.String(length=32), nullable=False),
    sa.Column('discovery_started_at', sa.DateTime(), nullable=True),
    sa.Column('discovery_finished_at', sa.DateTime(), nullable=True),
    sa.Column('discovery_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name', name='uniq_sources0project_id0name'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_project_id'), ['project_id'], unique=False)

    op.create_table('workers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('binary', sa.String(length=64), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('running', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('host', 'binary', name='uniq_workers0host0binary'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    op.create_table('vms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('moref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('bios_uuid', sa.String(length=36), nullable=True),
    sa.Column('instance_uuid', sa.String(length=36), nullable=True),
    sa.Column('power_state', sa.String(length=32), nullable=True),
    sa.Column('guest_id', sa.String(length=64), nullable=True),
    sa.Column('guest_family', sa.String(length=64), nullable=True),
    sa.Column('guest_full_name', sa.String(length=255), nullable=True),
    sa.Column('firmware', sa.String(length=16), nullable=True),
    sa.Column('secure_boot', sa.Boolean(), nullable=True),
    sa.Column('hardware_version', sa.String(length=16), nullable=True),
    sa.Column('num_cpus', sa.Integer(), nullable=True),
    sa.Column('cores_per_socket', sa.Integer(), nullable=True),
    sa.Column('memory_mb', sa.Integer(), nullable=True),
    sa.Column('cbt_enabled', sa.Boolean(), nullable=True),
    sa.Column('snapshot_count', sa.Integer(), nullable=False),
    sa.Column('consolidation_needed', sa.Boolean(), nullable=True),
    sa.Column('tools_status', sa.String(length=64), nullable=True),
    sa.Column('tools_version', sa.String(length=64), nullable=True),
    sa.Column('esxi_host', sa.String(length=255), nullable=True),
    sa.Column('cluster', sa.String(length=255), nullable=True),
    sa.Column('folder', sa.String(length=1024), nullable=True),
    sa.Column('datacenter', sa.String(length=255), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('missing', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'moref', name='uniq_vms0source_id0moref'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('vms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vms_project_id'), ['project_id'], unique=False)
        batch_op.create_index('vms_source_id_name_idx', ['source_id', 'name'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('trust_id', sa.String(length=64), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('vm_id', sa.Integer(), nullable=True),
    sa.Column('vm_name', sa.String(length=255), nullable=True),
    sa.Column('wave_id', sa.String(length=36), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=True),
    sa.Column('target_spec', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('sync_interval', sa.Integer(), nullable=True),
    sa.Column('shutdown_timeout', sa.Integer(), nullable=True),
    sa.Column('keep_target', sa.Boolean(), nullable=False),
    sa.Column('override_block', sa.Boolean(), nullable=False),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=False),
    sa.Column('rate_bps', sa.BigInteger(), nullable=True),
    sa.Column('eta_seconds', sa.Integer(), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(), nullable=True),
    sa.Column('next_sync_at', sa.DateTime(), nullable=True),
    sa.Column('pending_bytes', sa.BigInteger(), nullable=True),
    sa.Column('incremental_syncs', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('active_flow', sa.String(length=64), nullable=True),
    sa.Column('failed_flow', sa.String(length=64), nullable=True),
    sa.Column('flow_detail_uuid', sa.String(length=36), nullable=True),
    sa.Column('worker_host', sa.String(length=255), nullable=True),
    sa.Column('source_powered_off', sa.Boolean(), nullable=False),
    sa.Column('target_resources', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('inspection', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_wave_id'), ['wave_id'], unique=False)
        batch_op.create_index('jobs_project_id_state_idx', ['project_id', 'state'], unique=False)
        batch_op.create_index('jobs_state_next_sync_at_idx', ['state', 'next_sync_at'], unique=False)

    op.create_table('preflights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('target_spec', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('scores', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('checks', db_types.JsonEncodedList(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('preflights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preflights_project_id'), ['project_id'], unique=False)
        batch_op.create_index('preflights_vm_id_created_at_idx', ['vm_id', 'created_at'], unique=False)

    op.create_table('vm_disks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('device_key', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('capacity_bytes', sa.BigInteger(), nullable=False),
    sa.Column('datastore', sa.String(length=255), nullable=True),
    sa.Column('file_name', sa.String(length=1024), nullable=True),
    sa.Column('controller_type', sa.String(length=64), nullable=True),
    sa.Column('controller_key', sa.Integer(), nullable=True),
    sa.Column('unit_number', sa.Integer(), nullable=True),
    sa.Column('disk_mode', sa.String(length=64), nullable=True),
    sa.Column('sharing', sa.String(length=64), nullable=True),
    sa.Column('thin_provisioned', sa.Boolean(), nullable=True),
    sa.Column('is_rdm', sa.Boolean(), nullable=False),
    sa.Column('backing_uuid', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vm_id', 'device_key', name='uniq_vm_disks0vm_id0device_key'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    op.create_table('vm_nics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vm_id', sa.Integer(), nullable=False),
    sa.Column('device_key', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('network_name', sa.String(length=255), nullable=True),
    sa.Column('network_moref', sa.String(length=64), nullable=True),
    sa.Column('mac_address', sa.String(length=32), nullable=True),
    sa.Column('adapter_type', sa.String(length=64), nullable=True),
    sa.Column('connected', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vm_id', 'device_key', name='uniq_vm_nics0vm_id0device_key'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('resource_type', sa.String(length=32), nullable=False),
    sa.Column('resource_uuid', sa.String(length=36), nullable=True),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('payload', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('events_job_id_id_idx', ['job_id', 'id'], unique=False)
        batch_op.create_index('events_project_id_id_idx', ['project_id', 'id'], unique=False)

    op.create_table('job_disks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('device_key', sa.Integer(), nullable=False),
    sa.Column('source_path', sa.String(length=1024), nullable=True),
    sa.Column('capacity_bytes', sa.BigInteger(), nullable=False),
    sa.Column('volume_id', sa.String(length=255), nullable=True),
    sa.Column('volume_type', sa.String(length=255), nullable=True),
    sa.Column('last_change_id', sa.String(length=255), nullable=True),
    sa.Column('checkpoint', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=False),
    sa.Column('rate_bps', sa.BigInteger(), nullable=True),
    sa.Column('source_digest', sa.String(length=128), nullable=True),
    sa.Column('target_digest', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'device_key', name='uniq_job_disks0job_id0device_key'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    op.create_table('snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('vm_moref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('snapshot_moref', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index('snapshots_state_idx', ['state'], unique=False)

    op.create_table('syncs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('bytes_changed', sa.BigInteger(), nullable=True),
    sa.Column('bytes_copied', sa.BigInteger(), nullable=True),
    sa.Column('change_ids', db_types.JsonEncodedDict(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid'),
    mysql_charset='utf8mb4',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('syncs', schema=None) as batch_op:
        batch_op.create_index('syncs_job_id_started_at_idx', ['job_id', 'started_at'], unique=False)

