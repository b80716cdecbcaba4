"""``/v1/preflights``: read-only assessments of VMs."""

from xmsclient.common import base


class Preflight(base.Resource):
    pass


class PreflightManager(base.Manager):
    resource_class = Preflight
    collection = 'preflights'
    key = 'preflights'

    def create(self, vm_ids, mode, target=None):
        """Run a preflight of each VM; returns the list of preflights."""
        body = {'vm_ids': list(vm_ids), 'mode': mode}
        if target:
            body['target'] = target
        doc = self.api.call('POST', self._path(), body=body)
        return [self._wrap(p) for p in doc['preflights']]
