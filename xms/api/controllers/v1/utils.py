"""Helpers the v1 controllers share: context, links, pages, times."""

import datetime
from urllib import parse

from oslo_utils import timeutils
import pecan

from xms.conf import CONF


def context():
    return pecan.request.context


def base_url():
    # root imports this package: look it up at call time.
    from xms.api.controllers import root
    return root.public_url().rstrip('/')


def link(resource, uuid):
    return [{'href': '%s/v1/%s/%s' % (base_url(), resource, uuid),
             'rel': 'self'}]


def utcnow():
    return timeutils.utcnow()


def isotime(value):
    """RFC 3339 text of a naive UTC datetime (None stays None)."""
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc).isoformat()


def page_args(query, default_sort='id', default_dir='asc'):
    """Keyword arguments of :func:`xms.db.api.api_list` for a page."""
    limit = min(query.get('limit') or CONF.api.max_limit,
                CONF.api.max_limit)
    return {'limit': limit, 'marker': query.get('marker'),
            'sort_key': query.get('sort_key') or default_sort,
            'sort_dir': query.get('sort_dir') or default_dir}


def collection(name, rows, items, page, path):
    """A list answer; ``next`` links the following page when this one
    is full."""
    result = {name: items}
    if rows and len(rows) >= page['limit']:
        params = [(k, v) for k, v in pecan.request.GET.items()
                  if k != 'marker']
        params.append(('marker', rows[-1].uuid))
        result['next'] = '%s/v1/%s?%s' % (base_url(), path,
                                          parse.urlencode(params))
    return result


def set_status(code, location=None):
    pecan.response.status = code
    if location:
        pecan.response.headers['Location'] = location
