"""Preflight: read-only assessment of VMs before migration."""
