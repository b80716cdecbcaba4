"""The XMS release, from pbr."""

import pbr.version

version_info = pbr.version.VersionInfo('xms')


def version_string():
    try:
        return version_info.version_string()
    except Exception:
        return 'unknown'
