"""Schemas of ``/v1/sources``. The password is write-only: it appears in
request schemas (``writeOnly``) and never in :data:`SOURCE`."""

from xms.api.schemas import common

HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[A-Za-z0-9._:\[\]-]+$',
        'description': 'vCenter or ESXi host name or address.'}
PORT = {'type': 'integer', 'minimum': 1, 'maximum': 65535}
USERNAME = common.text(255, 1)
PASSWORD = {'type': 'string', 'minLength': 1, 'maxLength': 1024,
            'writeOnly': True}
THUMBPRINT = {'type': ['string', 'null'],
              'pattern': '^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$',
              'description': 'SHA-256 of the server certificate, '
                             'colon-separated hex.'}
CA_CERT = {'type': ['string', 'null'], 'maxLength': 65536,
           'pattern': '^-----BEGIN CERTIFICATE-----[\\t\\n\\r -~]*$',
           'x-reason': 'must be PEM text (ASCII) starting with -----BEGIN '
                       'CERTIFICATE-----',
           'description': 'PEM CA certificate that signs the endpoint\'s '
                          'certificate.'}
DATACENTER = dict(common.text(255, 1), type=['string', 'null'])

SOURCE_TYPES = ['vmware']
STATUSES = ['unknown', 'connected', 'disconnected', 'error']
DISCOVERY_STATUSES = ['never', 'queued', 'running', 'completed', 'failed']

CREATE = common.obj({
    'name': common.NAME,
    'type': {'type': 'string', 'enum': SOURCE_TYPES},
    'host': HOST,
    'port': PORT,
    'username': USERNAME,
    'password': PASSWORD,
    'datacenter': DATACENTER,
    'verify_tls': common.BOOLEAN,
    'ca_cert': CA_CERT,
    'thumbprint': THUMBPRINT,
}, required=['name', 'host', 'username', 'password'])

UPDATE = common.obj({
    'name': common.NAME,
    'host': HOST,
    'port': PORT,
    'datacenter': DATACENTER,
    'verify_tls': common.BOOLEAN,
    'ca_cert': CA_CERT,
    'thumbprint': THUMBPRINT,
})
UPDATE['minProperties'] = 1

CREDENTIAL = common.obj({'username': USERNAME, 'password': PASSWORD},
                        required=['password'])

LIST_QUERY = common.list_query(
    ['name', 'created_at', 'updated_at', 'status'],
    {'name': common.text(description='Only sources with this name.'),
     'status': {'type': 'string', 'enum': STATUSES,
                'description': 'Only sources in this status.'}})

SOURCE = common.obj({
    'uuid': common.UUID,
    'project_id': common.STRING,
    'name': common.STRING,
    'type': common.STRING,
    'host': common.STRING,
    'port': common.INTEGER,
    'username': common.STRING,
    'datacenter': common.NULLABLE_STRING,
    'verify_tls': common.BOOLEAN,
    'ca_cert': common.NULLABLE_STRING,
    'thumbprint': common.NULLABLE_STRING,
    'status': common.STRING,
    'status_reason': common.NULLABLE_STRING,
    'status_checked_at': common.DATETIME,
    'product_name': common.NULLABLE_STRING,
    'product_version': common.NULLABLE_STRING,
    'product_build': common.NULLABLE_STRING,
    'api_type': common.NULLABLE_STRING,
    'discovery': common.obj({
        'status': common.STRING,
        'started_at': common.DATETIME,
        'finished_at': common.DATETIME,
        'error': common.NULLABLE_STRING,
    }),
    'created_at': common.DATETIME,
    'updated_at': common.DATETIME,
    'links': common.LINKS,
}, required=['uuid', 'name', 'host', 'status'])

SOURCES = common.collection('sources', SOURCE)

TEST_RESULT = common.obj({
    'status': common.STRING,
    'product_name': common.NULLABLE_STRING,
    'version': common.NULLABLE_STRING,
    'build': common.NULLABLE_STRING,
    'api_type': common.NULLABLE_STRING,
}, required=['status'])
