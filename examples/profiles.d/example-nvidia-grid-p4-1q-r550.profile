# EXAMPLE ONLY — not vendor data. The same GRID P4-1Q type on the next driver branch.
# Illustrative: the branch keeps the interface and adds features (minor 16.0 -> 16.1), so a
# 535 source migrates live to a 550 target, and a 550 source only cold to a 535 target.

[match]
driver          = nvidia
driver_version  = >=550.0, <551
type_name       = GRID P4-1Q
pci_id          = 10de:1bb3

[descriptor]
SELF:
  device_api=vfio-pci
  mdev_type=nvidia-grid-p4-1q
  software_version=16.1.0
# No COMPATIBLE block: the default rule (same device_api and mdev_type, version rule) applies.
