"""What a Nova RequestSpec says about the request: is it a live migration, from where, with devices?

Nova does not mark a live migration in the RequestSpec itself (Nova 26, Debian bookworm's
python3-nova): the conductor's live-migration task seeds ``ignore_hosts`` with the source host
(``nova/conductor/tasks/live_migrate.py::_find_destination``: ``attempted_hosts = [self.source]``,
``request_spec.ignore_hosts = attempted_hosts``), but a resize or cold migration
(``nova/compute/api.py::resize``) and an evacuation (``nova/conductor/manager.py::rebuild_instance``)
fill ``ignore_hosts`` too. What tells them apart is the instance's task state, saved before the
scheduler is asked: ``migrating`` for a live migration (``nova/compute/api.py::live_migrate``:
``instance.task_state = task_states.MIGRATING``), ``resize_prep`` for a resize or cold migration,
``rebuilding`` for an evacuation. So the filter reads the instance from its cell database, the cell
being the one the conductor puts in ``requested_destination.cell`` (or the instance mapping's).
"""

import fnmatch
import re

from nova import context as nova_context
from nova import objects
from nova.compute import task_states

LIVE = "live"
OTHER_MOVE = "other-move"
NOT_A_MOVE = "not-a-move"
UNKNOWN_MOVE = "unknown-move"

# resources:VGPU=1, resources1:CUSTOM_X=2, resources_gpu:VGPU=1 (granular groups)
_RESOURCES_KEY = re.compile(r"^resources[a-zA-Z0-9_-]*:(?P<cls>[A-Z0-9_]+)$")


class Move:
    """What kind of move a request is, with the source host (Nova's name) when it is one."""

    def __init__(self, kind, source_host=None, why=""):
        self.kind = kind
        self.source_host = source_host
        self.why = why

    def __repr__(self):
        return "Move(%r, %r, %r)" % (self.kind, self.source_host, self.why)


def classify(spec_obj):
    """Says whether ``spec_obj`` asks for a live migration (LIVE), another move, no move, or cannot tell."""
    ignore_hosts = list(field(spec_obj, "ignore_hosts") or ())
    if not ignore_hosts:
        return Move(NOT_A_MOVE, why="the request has no host to leave (ignore_hosts is empty)")
    try:
        instance = _load_instance(spec_obj)
    except Exception as error:  # any failure to read Nova's own database: the kind stays unknown
        return Move(UNKNOWN_MOVE, ignore_hosts[0],
                    "the instance could not be read from its cell database: %s" % _first_line(error))
    if instance is None:
        return Move(UNKNOWN_MOVE, ignore_hosts[0], "the request carries no context to read the instance with")
    source = instance.host or ignore_hosts[0]
    if instance.task_state == task_states.MIGRATING:
        return Move(LIVE, source, "the instance's task state is %r" % instance.task_state)
    return Move(OTHER_MOVE, source, "the instance's task state is %r, not %r"
                % (instance.task_state, task_states.MIGRATING))


def asks_for_devices(spec_obj, device_resource_classes):
    """Whether Nova's request gives the instance assigned devices, or might (True when it cannot tell).

    Devices come from the flavor (``resources*:VGPU`` and other device resource classes,
    ``pci_passthrough:alias``, ``accel:device_profile``), from PCI requests (SR-IOV ports included)
    and from request groups of ports and accelerators.
    """
    flavor = field(spec_obj, "flavor")
    if flavor is None:
        return True
    extra_specs = field(flavor, "extra_specs") or {}
    for key, value in extra_specs.items():
        if key in ("pci_passthrough:alias", "accel:device_profile") and value:
            return True
        match = _RESOURCES_KEY.match(key)
        if match and _is_device_class(match.group("cls"), device_resource_classes) and _positive(value):
            return True
    pci_requests = field(spec_obj, "pci_requests")
    if pci_requests is not None and (field(pci_requests, "requests") or ()):
        return True
    for group in field(spec_obj, "requested_resources") or ():
        for resource_class, amount in (field(group, "resources") or {}).items():
            if _is_device_class(resource_class, device_resource_classes) and _positive(amount):
                return True
    return False


def _load_instance(spec_obj):
    context = getattr(spec_obj, "_context", None)
    instance_uuid = field(spec_obj, "instance_uuid")
    if context is None or not instance_uuid:
        return None
    destination = field(spec_obj, "requested_destination")
    cell = field(destination, "cell") if destination is not None else None
    if cell is None:
        cell = objects.InstanceMapping.get_by_instance_uuid(context, instance_uuid).cell_mapping
    with nova_context.target_cell(context, cell) as cell_context:
        return objects.Instance.get_by_uuid(cell_context, instance_uuid, expected_attrs=[])


def field(obj, name):
    """A Nova object's field, or None when it is not set (reading an unset field may lazy-load or raise)."""
    if obj is None:
        return None
    if hasattr(obj, "obj_attr_is_set"):
        try:
            if not obj.obj_attr_is_set(name):
                return None
        except AttributeError:  # not a field of this object version
            return None
    return getattr(obj, name, None)


def _is_device_class(resource_class, patterns):
    return any(fnmatch.fnmatchcase(resource_class, pattern) for pattern in patterns)


def _positive(value):
    try:
        return int(value) > 0
    except (TypeError, ValueError):
        return True


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else error.__class__.__name__
