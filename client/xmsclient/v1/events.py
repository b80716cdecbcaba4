"""``/v1/events``: what happened, newest first."""

from xmsclient.common import base


class Event(base.Resource):
    pass


class EventManager(base.Manager):
    resource_class = Event
    collection = 'events'
    key = 'events'

    def list(self, limit=None, marker=None, **filters):
        """Events (filters: ``job_id``, ``resource_type``,
        ``resource_uuid``, ``event_type``, ``severity``)."""
        return self._list(self._path(), limit=limit, marker=marker,
                          **filters)

    def get(self, event_id):
        raise NotImplementedError('the API has no single-event read')
