"""MigCompat for OpenStack Nova.

``migcompat_nova.filter.MigCompatFilter`` is a Nova scheduler filter: during a live migration it lets
only the hosts that MigCompat says can take the instance's VFIO devices live pass; every other request
passes untouched. See docs/integrations-nova.md.
"""

__version__ = "0.1.0"
