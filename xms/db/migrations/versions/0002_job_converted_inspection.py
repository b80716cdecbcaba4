"""jobs.inspection_converted: the guest as inspected after conversion.

``jobs.inspection`` keeps describing the guest as it was copied; the
inspection after conversion (what will boot) is stored next to it.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from oslo_db.sqlalchemy import types as db_types
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inspection_converted',
                                      db_types.JsonEncodedDict(),
                                      nullable=True))
