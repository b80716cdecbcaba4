"""Tasks on the guest: inspect the copied disks, then fix the guest.

Both run on the target disks attached to this worker, never on the
source, through the converter of ``[conversion]/driver``.
"""

from xms.common.i18n import _
from xms.conversion import base as conversion_base
from xms.db import api as db_api
from xms.worker.tasks import base


def _paths(job, target_paths):
    return [target_paths[str(d.device_key)] for d in job.disks]


def _skipped(job):
    return (job.target_spec or {}).get('convert_guest') is False


class InspectGuest(base.JobTask):
    """Inspect the copied guest and store it as ``jobs.inspection``.

    A new inspection of the copied disks makes an older inspection of
    the converted guest stale, so that one is dropped.
    """

    def execute(self, job_id, target_paths):
        job = base.get_job(job_id)
        base.check_cancel(job)
        converter = conversion_base.get_converter()
        inspection = converter.inspect(base.job_context(job), job,
                                       _paths(job, target_paths))
        db_api.job_update(base.admin_context(job.id), job.id,
                          {'inspection': inspection,
                           'inspection_converted': None})
        base.record(job, 'inspected', _('Guest inspected'),
                    inspection=inspection)
        return inspection


class InspectConvertedGuest(base.JobTask):
    """Inspect the guest again after conversion.

    Stored as ``jobs.inspection_converted`` next to the inspection of
    the copied guest: conversion changes what finalize must tell the
    target (drivers, for one), and users compare the two. Skipped when
    the guest was not converted.
    """

    def execute(self, job_id, target_paths):
        job = base.get_job(job_id)
        base.check_cancel(job)
        if _skipped(job):
            return None
        converter = conversion_base.get_converter()
        inspection = converter.inspect(base.job_context(job), job,
                                       _paths(job, target_paths))
        db_api.job_update(base.admin_context(job.id), job.id,
                          {'inspection_converted': inspection})
        base.record(job, 'inspected_converted',
                    _('Converted guest inspected'), inspection=inspection)
        return inspection


class ConvertGuest(base.JobTask):
    """Fix the guest in place so that it boots on KVM.

    Skipped when the job's target says ``convert_guest: false``.
    """

    def execute(self, job_id, target_paths):
        job = base.get_job(job_id)
        base.check_cancel(job)
        if _skipped(job):
            base.record(job, 'conversion_skipped',
                        _('Guest conversion skipped (convert_guest: '
                          'false)'))
            return []
        converter = conversion_base.get_converter()
        lines = converter.convert(base.job_context(job), job,
                                  _paths(job, target_paths),
                                  job.inspection or {})
        base.record(job, 'converted', _('Guest converted'),
                    output=list(lines or [])[-50:])
        return len(lines or [])
