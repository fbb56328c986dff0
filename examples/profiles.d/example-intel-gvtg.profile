# EXAMPLE ONLY — not vendor data. Shows the profile format for Intel GVT-g (i915) vGPUs.
# Copy to /etc/migcompat/profiles.d/ and adapt to what your kernel's GVT-g really supports.
#
# i915 is an in-tree driver: /sys/module/i915/version does not exist, so no driver_version
# criterion can match it. Keep one such profile per kernel build you deploy.

[match]
driver      = i915
type        = i915-GVTg_V5_*          # every Gen9 GVT-g type; mdev_type stays the real type id
device_api  = vfio-pci
pci_id      = 8086:59*, 8086:3e*      # Kaby Lake and Coffee Lake integrated GPUs

[descriptor]
SELF:
  software_version=1.1.0              # the GVT-g migration interface of this kernel build
  pv_mode=none+ppgtt+context          # the paravirtualization modes this build offers
COMPATIBLE:
  # A target of this build accepts a source of any of these pv_mode sets (and, because the block
  # does not name software_version, the version rule: same major, minor at most 1).
  pv_mode={p:string:"none","none+ppgtt","none+ppgtt+context"}
