"""What the job detail page shows, computed from the API's job and events.

Kept apart from the view so the unit tests read it without Django's
request machinery: the timeline of phases and syncs, the chart of sync
sizes and throughput (plain SVG geometry, no JavaScript library), and the
links to the target's instance, volumes and ports in their own panels.
"""

import datetime

from django.urls import NoReverseMatch
from django.urls import reverse

from xms_dashboard import formats

CHART_WIDTH = 640
CHART_HEIGHT = 200
CHART_PAD = 30


def parse_time(value):
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        return None


def seconds_between(start, end):
    start, end = parse_time(start), parse_time(end)
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def timeline(job, events):
    """``[{when, what, kind, duration, bytes}]`` oldest first: the job's
    phase and state changes (events) and its syncs."""
    rows = []
    for event in events:
        rows.append({'when': event.created_at,
                     'what': event.message or event.event_type,
                     'kind': event.event_type, 'severity': event.severity,
                     'duration': '', 'bytes': ''})
    for sync in getattr(job, 'syncs', None) or []:
        took = seconds_between(sync.get('started_at'),
                               sync.get('finished_at'))
        rows.append({
            'when': sync.get('started_at'),
            'what': '%s sync %s' % (sync.get('kind'), sync.get('status')),
            'kind': 'sync', 'severity': 'info',
            'duration': formats.duration(took) if took is not None else '-',
            'bytes': formats.size(sync.get('bytes_copied'))})
    return sorted(rows, key=lambda r: r['when'] or '')


def sync_chart(job):
    """SVG geometry of one bar per finished sync (bytes copied) and a
    polyline of its throughput, both scaled to the chart."""
    points = []
    for sync in getattr(job, 'syncs', None) or []:
        copied = sync.get('bytes_copied') or 0
        took = seconds_between(sync.get('started_at'),
                               sync.get('finished_at'))
        if took is None:
            continue
        points.append({'label': sync.get('kind') or '',
                       'bytes': copied,
                       'rate': copied / took if took else 0.0})
    if not points:
        return None
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    top_bytes = max(p['bytes'] for p in points) or 1
    top_rate = max(p['rate'] for p in points) or 1
    slot = inner_w / len(points)
    bars, line = [], []
    for i, p in enumerate(points):
        height = inner_h * p['bytes'] / top_bytes
        x = CHART_PAD + i * slot + slot * 0.15
        bars.append({'x': round(x, 1), 'width': round(slot * 0.7, 1),
                     'y': round(CHART_PAD + inner_h - height, 1),
                     'height': round(height, 1),
                     'title': '%s: %s at %s' % (p['label'],
                                                formats.size(p['bytes']),
                                                formats.rate(p['rate']))})
        cx = CHART_PAD + i * slot + slot / 2
        cy = CHART_PAD + inner_h - inner_h * p['rate'] / top_rate
        line.append('%.1f,%.1f' % (cx, cy))
    return {'width': CHART_WIDTH, 'height': CHART_HEIGHT,
            'pad': CHART_PAD, 'base': CHART_PAD + inner_h,
            'right': CHART_WIDTH - CHART_PAD, 'bars': bars,
            'line': ' '.join(line), 'top_bytes': formats.size(top_bytes),
            'top_rate': formats.rate(top_rate), 'count': len(points)}


def _link(name, args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def target_links(job):
    """``[(kind, id, url or None)]`` of what the job built (the API's
    ``target_resources``: ``instance``, ``volumes``, ``ports``)."""
    res = getattr(job, 'target_resources', None) or {}
    links = []
    server = res.get('instance')
    if server:
        links.append(('instance', server,
                      _link('horizon:project:instances:detail', [server])))
    for volume in res.get('volumes') or []:
        vid = volume.get('id') if isinstance(volume, dict) else volume
        links.append(('volume', vid,
                      _link('horizon:project:volumes:detail', [vid])))
    for port in res.get('ports') or []:
        pid = port.get('id') if isinstance(port, dict) else port
        links.append(('port', pid,
                      _link('horizon:project:networks:ports:detail', [pid])))
    return links


def disks(job):
    return [dict(d, done=formats.size(d.get('bytes_done')),
                 total=formats.size(d.get('bytes_total')),
                 rate=formats.rate(d.get('rate_bps')))
            for d in getattr(job, 'disks', None) or []]
