#!/bin/sh
# A Nova-shaped provider tree, as nova-compute would have made it: a compute node provider named by the
# hypervisor hostname, one child per pGPU named <hostname>_pci_<address> with VGPU inventory.
set -e
P=${PLACEMENT:-http://127.0.0.1:8778}
rp() { # name [parent] -> uuid
  uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  parent=${2:+, \"parent_provider_uuid\": \"$2\"}
  curl -sf -X POST "$P/resource_providers" -H 'X-Auth-Token: admin' -H 'OpenStack-API-Version: placement 1.20' \
    -H 'Content-Type: application/json' -d "{\"name\": \"$1\", \"uuid\": \"$uuid\"$parent}" >/dev/null
  echo "$uuid"
}
vgpus() { # uuid total
  curl -sf -X PUT "$P/resource_providers/$1/inventories" -H 'X-Auth-Token: admin' -H 'OpenStack-API-Version: placement 1.20' \
    -H 'Content-Type: application/json' -d "{\"resource_provider_generation\": 0, \"inventories\": {\"VGPU\": {\"total\": $2}}}" >/dev/null
}
for host in gpu-01 gpu-02; do
  node=$(rp "$host")
  gpu=$(rp "${host}_pci_0000_84_00_0" "$node"); vgpus "$gpu" 4
  [ "$host" = gpu-02 ] && { gpu=$(rp "${host}_pci_0000_85_00_0" "$node"); vgpus "$gpu" 4; }
done
echo "tree created"
