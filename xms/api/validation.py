"""JSON-schema validation of requests: the API's only validation layer.

Controllers declare what they accept with :func:`validated`; it checks the
path identifiers, the query string and the JSON body against schemas from
:mod:`xms.api.schemas` and hands the controller clean values. Errors
name the field and the reason (never the submitted value: it could be a
password) in the format of :mod:`xms.api.errors`.
"""

import functools
import json

import jsonschema
from jsonschema import exceptions as js_exc
from oslo_utils import uuidutils
import pecan

from xms.common import exception
from xms.common.i18n import _

_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off')


class ValidationError(exception.Invalid):
    """A 400 about one field."""

    msg_fmt = _('%(field)s: %(reason)s')

    def __init__(self, field, reason):
        super().__init__(field=field or 'body', reason=reason)
        self.field = field


class UnsupportedMediaType(exception.XmsException):
    msg_fmt = _('Send the request body as application/json, not '
                '%(content_type)s.')
    code = 415


def _join(path):
    text = ''
    for item in path:
        if isinstance(item, int):
            text += '[%d]' % item
        else:
            text += ('.' if text else '') + str(item)
    return text


def _reason(error):
    """A reason that never repeats the submitted value."""
    v, value = error.validator, error.validator_value
    if v == 'type':
        types = value if isinstance(value, list) else [value]
        return _('must be of type %s') % ' or '.join(types)
    if v == 'enum':
        return _('must be one of: %s') % ', '.join(
            'null' if x is None else str(x) for x in value)
    if v == 'const':
        return _('must be %s') % value
    if v == 'maxLength':
        return _('must be at most %d characters long') % value
    if v == 'minLength':
        return _('must be at least %d characters long') % value
    if v == 'maximum':
        return _('must be at most %s') % value
    if v == 'minimum':
        return _('must be at least %s') % value
    if v == 'maxItems':
        return _('must have at most %d items') % value
    if v == 'minItems':
        return _('must have at least %d items') % value
    if v == 'uniqueItems':
        return _('must not repeat items')
    if v == 'pattern':
        return (error.schema.get('x-reason')
                or _('must match the pattern %s') % value)
    if v == 'format':
        return _('must be a valid %s') % value
    if v in ('oneOf', 'anyOf'):
        return _('does not match any allowed form')
    if v == 'not':
        return _('is not allowed here')
    if v == 'minProperties':
        return _('must set at least %d field(s)') % value
    return _('is invalid')


def _field_and_reason(error, prefix=''):
    path = list(error.absolute_path)
    if error.validator == 'additionalProperties':
        known = set(error.schema.get('properties', {}))
        extra = sorted(k for k in error.instance if k not in known)
        return (_join(path + extra[:1]),
                _('is not a known field; allowed: %s')
                % (', '.join(sorted(known)) or _('none')))
    if error.validator == 'required':
        missing = [k for k in error.validator_value
                   if k not in error.instance]
        return _join(path + missing[:1]), _('is required')
    if error.validator == 'dependentRequired':
        for key, needed in error.validator_value.items():
            if key in error.instance:
                for name in needed:
                    if name not in error.instance:
                        return (_join(path + [name]),
                                _('is required with %s') % key)
    field = _join(path) or prefix
    return field, _reason(error)


def validate(schema, instance, prefix=''):
    """Validate ``instance``; raise :class:`ValidationError` on the best
    error found."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    error = js_exc.best_match(validator.iter_errors(instance))
    if error is not None:
        field, reason = _field_and_reason(error, prefix)
        raise ValidationError(field, reason)


def _coerce(name, values, prop):
    """Turn query strings into the types the schema expects."""
    types = prop.get('type', 'string')
    types = types if isinstance(types, list) else [types]
    if 'array' in types:
        items = []
        for value in values:
            items.extend(v for v in value.split(',') if v != '')
        item_prop = prop.get('items', {})
        return [_coerce(name, [v], item_prop) for v in items]
    if len(values) > 1:
        raise ValidationError(name, _('must be given once'))
    value = values[0]
    if 'integer' in types:
        try:
            return int(value)
        except ValueError:
            raise ValidationError(name, _('must be an integer'))
    if 'boolean' in types:
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValidationError(name, _('must be true or false'))
    return value


def parse_query(schema, multidict):
    props = schema.get('properties', {})
    query = {}
    for name in multidict.keys():
        if name not in props:
            raise ValidationError(
                name, _('is not a known query parameter; allowed: %s')
                % (', '.join(sorted(props)) or _('none')))
        query[name] = _coerce(name, multidict.getall(name), props[name])
    validate(schema, query)
    return query


# Deeper than any request schema goes; bounds the recursion of the JSON
# decoder and of the schema validator on hostile bodies.
MAX_DEPTH = 16


def _refuse_constant(name):
    raise ValueError(_('%s is not a JSON number') % name)


def _depth(value):
    """How deeply ``value`` nests arrays and objects (iteratively)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        todo.extend((child, level + 1) for child in item)
    return deepest


_BODY_KEY = 'xms.json_body'


def json_body(request):
    """The request body decoded as JSON, or None when there is none.

    Decoded once per request (Pecan's own parsing and :func:`parse_body`
    both come here first, through :class:`xms.api.hooks.JSONBodyHook`).

    :raises ValidationError: 400 naming ``body`` for bytes that are not
        UTF-8, text that is not JSON (NaN and Infinity included) or that
        nests deeper than :data:`MAX_DEPTH`.
    """
    environ = request.environ
    if _BODY_KEY in environ:
        return environ[_BODY_KEY]
    raw = request.body
    body = None
    if raw and raw.strip():
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise ValidationError('body', _(
                'is not valid UTF-8 (invalid byte at offset %d); send JSON '
                'encoded as UTF-8') % exc.start)
        too_deep = ValidationError('body', _(
            'nests arrays or objects deeper than %d levels') % MAX_DEPTH)
        try:
            body = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise too_deep
        except ValueError as exc:
            raise ValidationError('body', _('is not valid JSON: %s')
                                  % getattr(exc, 'msg', exc))
        if _depth(body) > MAX_DEPTH:
            raise too_deep
    environ[_BODY_KEY] = body
    return body


def parse_body(schema, request):
    """The request's JSON body, checked against ``schema``.

    :raises ValidationError: 400 naming the first wrong field (or
        ``body``, see :func:`json_body`).
    :raises UnsupportedMediaType: 415 for another content type.
    """
    raw = request.body
    if not raw or not raw.strip():
        body = {}
    else:
        ctype = (request.content_type or '').lower()
        if ctype != 'application/json':
            raise UnsupportedMediaType(content_type=ctype or _('no type'))
        body = json_body(request)
    validate(schema, body, prefix='body')
    return body


EMPTY_QUERY = {'type': 'object', 'properties': {},
               'additionalProperties': False}


def validated(path=(), query=None, body=None):
    """Validate a controller call.

    :param path: names of the positional path parameters, each a UUID.
    :param query: JSON schema of the query string (default: none allowed).
    :param body: JSON schema of the body, or None for a request without
        one. The controller receives ``query=`` and ``body=`` keywords.
    """
    query_schema = query or EMPTY_QUERY

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            request = pecan.request
            if len(args) != len(path):
                pecan.abort(404)
            for name, value in zip(path, args, strict=True):
                if not uuidutils.is_uuid_like(value):
                    raise ValidationError(name, _('must be a UUID'))
            call = {'query': parse_query(query_schema, request.GET)}
            if body is not None:
                call['body'] = parse_body(body, request)
            return func(self, *args, **call)

        wrapper.xms_schemas = {'path': tuple(path), 'query': query_schema,
                               'body': body}
        return wrapper
    return decorator
