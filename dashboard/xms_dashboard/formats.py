"""How sizes, rates and durations read in the panels (one place)."""

_UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB')


def size(value):
    """``1536`` -> ``'1.5 KiB'``; None -> ``'-'``."""
    if value is None:
        return '-'
    value = float(value)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            if unit == 'B':
                return '%d B' % value
            return '%.1f %s' % (value, unit)
        value /= 1024
    return '-'


def rate(bps):
    """Bytes per second as ``'12.3 MiB/s'``."""
    if not bps:
        return '-'
    return '%s/s' % size(bps)


def duration(seconds):
    """``3725`` -> ``'1h 2m 5s'``; None -> ``'-'``."""
    if seconds is None:
        return '-'
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return '%dh %dm %ds' % (hours, minutes, secs)
    if minutes:
        return '%dm %ds' % (minutes, secs)
    return '%ds' % secs
