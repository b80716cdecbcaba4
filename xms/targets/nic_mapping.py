"""Reading a target spec's NIC mapping: the one owner of that concept.

The API accepts ``network_mapping`` as a list of entries (schema
:data:`xms.api.schemas.targets.NETWORK_MAPPING`)::

    {"source_network": "4000" | "00:50:56:9a:01:02" | "VM Network" | "*",
     "network_id": "<target network id>",
     "fixed_ip": "10.0.0.5", "subnet": "prod-v4",
     "keep_mac": true, "security_groups": ["web"]}

``source_network`` names a source NIC by its device key, its MAC
address or the port group it is connected to; ``*`` maps every NIC that
no other entry names. A NIC takes the most specific entry that names
it (device key, then MAC, then port group, then ``*``), so one entry can
map a whole port group while another singles out one of its NICs.

Preflight checks, the target's network drivers and the target inspector
all read the mapping here, so they cannot disagree about which network a
NIC gets.
"""

from xms.conf import CONF
from xms.targets import base

WILDCARD = '*'


def _text(value):
    return str(value).strip().lower() if value is not None else None


def _nic_keys(nic):
    """The keys that may name ``nic``, most specific first."""
    return [_text(base.field(nic, 'device_key')),
            _text(base.field(nic, 'mac_address')),
            _text(base.field(nic, 'network_name'))]


def _entry(nic, mapping):
    entries = [e for e in mapping or () if isinstance(e, dict)
               and e.get('network_id')]
    by_source = {}
    for entry in entries:
        # The first entry naming a source wins, as a user reads the list.
        by_source.setdefault(_text(entry.get('source_network')), entry)
    for key in _nic_keys(nic) + [WILDCARD]:
        if key and key in by_source:
            return by_source[key]
    return None


def resolve(nic, mapping, security_groups=None):
    """Where a source NIC goes in the target, or None when unmapped.

    :param nic: a source NIC (dict or DB row with ``device_key``,
        ``mac_address``, ``network_name``).
    :param mapping: the target spec's ``network_mapping`` (list).
    :param security_groups: the job-level ``security_groups``; an
        entry's own list wins over them.
    :returns: ``{'network': <network id>, 'fixed_ip', 'subnet',
        'keep_mac' (bool, ``[target]/keep_mac`` unless the entry says),
        'security_groups' (list or None for the project default)}``.
    """
    entry = _entry(nic, mapping)
    if entry is None:
        return None
    keep_mac = entry.get('keep_mac')
    groups = entry.get('security_groups')
    if groups is None:
        groups = security_groups
    return {'network': entry['network_id'],
            'fixed_ip': entry.get('fixed_ip'),
            'subnet': entry.get('subnet'),
            'keep_mac': CONF.target.keep_mac if keep_mac is None
            else bool(keep_mac),
            'security_groups': list(groups) if groups is not None
            else None}


def network_for(nic, mapping):
    """The target network id a NIC is mapped to, or None."""
    entry = _entry(nic, mapping)
    return entry['network_id'] if entry else None


def unmapped(nics, mapping):
    """The NICs of ``nics`` that no entry of ``mapping`` maps."""
    return [nic for nic in nics or () if _entry(nic, mapping) is None]
