# EXAMPLE ONLY — not vendor data. Shows the profile format for an NVIDIA vGPU type.
#
# NVIDIA numbers its mdev types per driver branch: the "GRID P4-1Q" profile is nvidia-63 on one
# branch and may have another id on the next. The profile therefore matches the type by its
# `name` attribute and gives it a stable interface name in SELF (mdev_type=nvidia-grid-p4-1q):
# both branches' devices then state the same mdev_type and the matcher compares them. The real
# type id stays in the inventory's device/type entry (it is what a new instance is created with).

[match]
driver          = nvidia
driver_version  = >=535.0, <536
type_name       = GRID P4-1Q
pci_id          = 10de:1bb3               # Tesla P4

[descriptor]
SELF:
  device_api=vfio-pci
  mdev_type=nvidia-grid-p4-1q
  software_version=16.0.0                 # vGPU software 16 (driver branch 535)
# No COMPATIBLE block: the default rule applies — same device_api and mdev_type, and the version
# rule on software_version (same major, target minor >= source minor).
