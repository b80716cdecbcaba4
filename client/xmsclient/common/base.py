"""Resources and managers, the shape every manager of the client shares.

A :class:`Resource` is the API's JSON object with its fields as
attributes; a :class:`Manager` owns one collection URL. Lists follow the
API's ``next`` links when asked for everything, so callers see one list.
"""

import copy
from urllib import parse


class Resource:
    """One API object: its JSON fields are attributes."""

    def __init__(self, manager, info):
        self.manager = manager
        self._info = dict(info)
        for key, value in info.items():
            setattr(self, key, value)

    @property
    def id(self):
        return self._info.get('uuid')

    def to_dict(self):
        return copy.deepcopy(self._info)

    def __getitem__(self, key):
        return self._info[key]

    def get(self, key, default=None):
        return self._info.get(key, default)

    def __eq__(self, other):
        return (isinstance(other, Resource)
                and self._info == other._info)

    def __repr__(self):
        name = self._info.get('name') or self._info.get('host')
        return '<%s %s%s>' % (type(self).__name__, self.id,
                              ' %s' % name if name else '')


def _clean(params):
    """Query parameters without the unset ones; lists as comma lists."""
    result = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ','.join(value)
        elif isinstance(value, bool):
            value = 'true' if value else 'false'
        result[key] = value
    return result


class Manager:
    """A collection of the API (``/v1/<collection>``)."""

    resource_class = Resource
    collection = None
    #: The key of the list in a collection answer.
    key = None

    def __init__(self, api):
        self.api = api

    def _path(self, resource_id=None, action=None):
        path = '/' + self.collection
        if resource_id is not None:
            path += '/' + parse.quote(str(resource_id), safe='')
        if action:
            path += '/' + action
        return path

    def _wrap(self, info):
        return self.resource_class(self, info)

    def _list(self, path, limit=None, marker=None, **filters):
        """One page when ``limit`` is given, else every page."""
        params = _clean(dict(filters, limit=limit, marker=marker))
        items = []
        while True:
            doc = self.api.call('GET', path, params=params) or {}
            items.extend(self._wrap(i) for i in doc.get(self.key, []))
            nxt = doc.get('next')
            if limit is not None or not nxt:
                return items
            query = parse.parse_qs(parse.urlsplit(nxt).query)
            params = {k: v[-1] for k, v in query.items()}

    def list(self, limit=None, marker=None, sort_key=None, sort_dir=None,
             **filters):
        """Every item matching ``filters`` (one page with ``limit``)."""
        return self._list(self._path(), limit=limit, marker=marker,
                          sort_key=sort_key, sort_dir=sort_dir, **filters)

    def get(self, resource_id):
        return self._wrap(self.api.call('GET', self._path(resource_id)))
