"""Entry point: ``client.Client('1', session=..., endpoint_override=...)``.
"""

from xmsclient import exceptions

_CLIENTS = {'1': 'xmsclient.v1.client.Client'}


def Client(version, session=None, endpoint_override=None, **kwargs):  # noqa: N802
    """A client of API ``version`` (``'1'``, or ``'1.N'`` to pin a
    microversion; ``'1'`` negotiates the highest both sides speak)."""
    version = str(version)
    major, _sep, minor = version.partition('.')
    if major not in _CLIENTS:
        raise exceptions.UnsupportedVersion(
            'Unknown XMS API version %s; this client supports: %s'
            % (version, ', '.join(sorted(_CLIENTS))))
    if minor:
        kwargs.setdefault('api_version', version)
    module, _dot, name = _CLIENTS[major].rpartition('.')
    import importlib
    cls = getattr(importlib.import_module(module), name)
    return cls(session=session, endpoint_override=endpoint_override,
               **kwargs)
