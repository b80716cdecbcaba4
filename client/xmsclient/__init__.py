"""python-xmsclient: the Python client and OpenStackClient plugin of XMS.
"""
