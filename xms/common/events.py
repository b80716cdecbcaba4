"""Record an event: a row in ``events`` plus an oslo.messaging
notification. Messages and payloads never carry secrets."""

from xms.common import notifications
from xms.db import api as db_api


def record(context, resource_type, event_type, message, resource_uuid=None,
           job=None, severity='info', payload=None, project_id=None):
    """Store an event and emit it as a notification.

    :param job: the job the event is about, if any (sets ``job_id``,
        ``resource_uuid`` and ``project_id`` from it).
    :returns: the stored event.
    """
    values = {'resource_type': resource_type, 'event_type': event_type,
              'message': message, 'severity': severity,
              'resource_uuid': resource_uuid, 'payload': payload,
              'project_id': project_id or context.project_id}
    if job is not None:
        values.update(job_id=job.id, resource_uuid=job.uuid,
                      project_id=job.project_id)
    event = db_api.event_create(context, values)
    notifications.emit(context, resource_type, event_type,
                       dict(payload or {}, message=message,
                            resource_uuid=values['resource_uuid']),
                       severity)
    return event
