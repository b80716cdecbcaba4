"""The VMware vSphere source driver (pyvmomi)."""
