"""Schema pieces every resource uses."""

UUID_PATTERN = ('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                '[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

# Printable text of the Basic Multilingual Plane: no control characters
# and nothing a utf8 (3-byte) MySQL connection could not carry.
# (``$(?!\\n)``: Python's ``$`` would also match before a final newline.)
_CHARS = '\\u0020-\\u007e\\u00a0-\\ud7ff\\ue000-\\ufffd'
TEXT_PATTERN = '^[%s]*$(?!\\n)' % _CHARS
TEXT_REASON = 'must be printable text (no control characters, emoji or ' \
              'other characters outside the Basic Multilingual Plane)'


def text(max_length=255, min_length=0, **extra):
    schema = {'type': 'string', 'maxLength': max_length,
              'pattern': TEXT_PATTERN, 'x-reason': TEXT_REASON}
    if min_length:
        schema['minLength'] = min_length
    schema.update(extra)
    return schema


# Names and labels end up in log lines, file names under the conversion
# work directory, and in URLs and resource names of the target cloud: on
# top of TEXT_PATTERN they refuse the path separators / and \\ (so
# "../../etc/passwd" is refused, not just odd).
_NAME_CHARS = ('\\u0020-\\u002e\\u0030-\\u005b\\u005d-\\u007e'
               '\\u00a0-\\ud7ff\\ue000-\\ufffd')
_NAME_VISIBLE = ('\\u0021-\\u002e\\u0030-\\u005b\\u005d-\\u007e'
                 '\\u00a0-\\ud7ff\\ue000-\\ufffd')
NAME_REASON = ('must be printable text without path separators (/ or \\), '
               'control characters, emoji or other characters outside the '
               'Basic Multilingual Plane')


def label(max_length=255, **extra):
    """A name or ID of an object of the target cloud (flavor, volume type,
    availability zone, security group): :data:`NAME_REASON` applies."""
    schema = {'type': 'string', 'minLength': 1, 'maxLength': max_length,
              'pattern': '^[%s]+$(?!\\n)' % _NAME_CHARS,
              'x-reason': NAME_REASON}
    schema.update(extra)
    return schema


UUID = {'type': 'string', 'format': 'uuid', 'pattern': UUID_PATTERN}
NULLABLE_UUID = {'type': ['string', 'null'], 'pattern': UUID_PATTERN}
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': '^[%s]([%s]*[%s])?$(?!\\n)' % (
            _NAME_VISIBLE, _NAME_CHARS, _NAME_VISIBLE),
        'x-reason': NAME_REASON + ', without leading or trailing spaces'}
STRING = {'type': 'string'}
NULLABLE_STRING = {'type': ['string', 'null']}
DATETIME = {'type': ['string', 'null'], 'format': 'date-time'}
INTEGER = {'type': 'integer'}
NULLABLE_INTEGER = {'type': ['integer', 'null']}
BOOLEAN = {'type': 'boolean'}
NULLABLE_BOOLEAN = {'type': ['boolean', 'null']}
NULLABLE_OBJECT = {'type': ['object', 'null']}

LINK = {
    'type': 'object',
    'properties': {'href': STRING, 'rel': STRING},
    'required': ['href', 'rel'],
    'additionalProperties': False,
}
LINKS = {'type': 'array', 'items': LINK}

MAX_LIMIT = 1000


def list_query(sort_keys, filters=None):
    """Schema of a list's query string: pagination, sorting, filters."""
    props = {
        'limit': {'type': 'integer', 'minimum': 1, 'maximum': MAX_LIMIT,
                  'description': 'Largest number of items to return.'},
        'marker': dict(UUID, description='UUID of the last item of the '
                                         'previous page.'),
        'sort_key': {'type': 'string', 'enum': list(sort_keys),
                     'description': 'Field to sort by.'},
        'sort_dir': {'type': 'string', 'enum': ['asc', 'desc'],
                     'description': 'Sort direction.'},
    }
    props.update(filters or {})
    return {'type': 'object', 'properties': props,
            'additionalProperties': False}


def collection(name, item):
    """Response schema of a paginated list."""
    return {
        'type': 'object',
        'properties': {name: {'type': 'array', 'items': item},
                       'next': NULLABLE_STRING},
        'required': [name],
        'additionalProperties': False,
    }


def obj(properties, required=None, nullable=False):
    schema = {'type': ['object', 'null'] if nullable else 'object',
              'properties': properties, 'additionalProperties': False}
    if required:
        schema['required'] = list(required)
    return schema


EMPTY_ACTION = obj({})

ERROR = obj({
    'error': obj({
        'code': INTEGER,
        'title': STRING,
        'message': STRING,
        'field': NULLABLE_STRING,
        'request_id': NULLABLE_STRING,
    }, required=['code', 'title', 'message', 'field']),
}, required=['error'])
