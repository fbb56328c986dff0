using System.Collections.Immutable;
using MigCompat.Discovery.Diagnostics;

namespace MigCompat.Discovery.Nvidia;

/// <summary>
/// Reads NVIDIA vGPU state through NVML for one scan, only when the scan finds an NVIDIA vGPU device or
/// type: the library is loaded and <c>nvmlInit_v2</c> called at the first request, each physical GPU read
/// once, and <c>nvmlShutdown</c> called when the scan is done (<see cref="Dispose"/>). Read-only: no NVML
/// setter is ever bound. Whatever fails is a warning (<see cref="SysfsWarningCodes.NvmlUnavailable"/>,
/// <see cref="SysfsWarningCodes.NvmlCallFailed"/>) with NVML's return code, and that part is unknown.
/// </summary>
internal sealed class NvmlReader(string? libraryPath, ScanWarnings warnings) : IDisposable
{
    private const int NotFound = 6;
    private const int GuestInfoInitialized = 1;

    private readonly Dictionary<string, NvmlGpuFacts?> gpus = new(StringComparer.OrdinalIgnoreCase);
    private Nvml? nvml;
    private bool started;

    /// <summary>
    /// What NVML says about the physical GPU at PCI <paramref name="address"/>; null when NVML is off or not
    /// available, or does not know the GPU. An mdev parent that is an SR-IOV VF (vGPU on Ampere) is not an
    /// NVML device: its PF, <paramref name="physicalFunction"/>, is asked next.
    /// </summary>
    /// <param name="address">The GPU's PCI address, as sysfs names it.</param>
    /// <param name="physicalFunction">The PF's address when <paramref name="address"/> is a VF; else null.</param>
    /// <param name="shown">The path warnings name.</param>
    public NvmlGpuFacts? Gpu(string address, string? physicalFunction, string shown)
    {
        if (!Start())
        {
            return null;
        }

        if (!gpus.TryGetValue(address, out var facts))
        {
            facts = Read(nvml!, address, physicalFunction, shown);
            gpus[address] = facts;
        }

        return facts;
    }

    /// <summary>Shuts NVML down (when it was started) and unloads it.</summary>
    public void Dispose()
    {
        if (nvml is not null)
        {
            _ = nvml.Shutdown();
            nvml.Dispose();
            nvml = null;
        }
    }

    private bool Start()
    {
        if (started || libraryPath is null)
        {
            return nvml is not null;
        }

        started = true;
        var loaded = Nvml.TryLoad(libraryPath, out var problem);
        if (loaded is null)
        {
            Unavailable(problem!);
            return false;
        }

        var code = loaded.Init();
        if (code != Nvml.Success)
        {
            loaded.Dispose();
            Unavailable($"nvmlInit_v2 returned {Nvml.Describe(code)}");
            return false;
        }

        nvml = loaded;
        return true;
    }

    private void Unavailable(string why) =>
        warnings.Add(
            SysfsWarningCodes.NvmlUnavailable,
            libraryPath!,
            $"NVML is not available ({why}): the NVIDIA vGPUs' version range, ECC mode and negotiated vGPU versions are unknown "
            + "(no vgpu_range, vgpu_version, ecc or migration.capable fields); MigCompat then requires the target to accept the source host's whole vGPU range");

    private NvmlGpuFacts? Read(Nvml library, string address, string? physicalFunction, string shown)
    {
        var code = library.DeviceByBusId(address, out var device);
        if (code == NotFound && physicalFunction is not null)
        {
            code = library.DeviceByBusId(physicalFunction, out device);
        }

        if (code != Nvml.Success)
        {
            Failed(shown, "nvmlDeviceGetHandleByPciBusId_v2", code, "NVML does not know this GPU; its vGPU range, ECC mode and running vGPUs are unknown");
            return null;
        }

        VgpuVersionRange? range = null;
        bool? hostCapable = null;
        code = library.HostMetadata(device, out var caps, out var min, out var max);
        if (code == Nvml.Success)
        {
            range = new VgpuVersionRange(VgpuVersion.FromEncoded(min), VgpuVersion.FromEncoded(max));
            hostCapable = (caps & 1) != 0;
        }
        else
        {
            Failed(shown, "nvmlDeviceGetVgpuMetadata", code, "the GPU's vGPU version range and migration capability are unknown");
        }

        bool? ecc = null;
        code = library.EccEnabled(device, out var enabled);
        if (code == Nvml.Success)
        {
            ecc = enabled;
        }
        else if (code != Nvml.NotSupported)
        {
            // NOT_SUPPORTED: a GPU without ECC; nothing to say, nothing failed.
            Failed(shown, "nvmlDeviceGetEccMode", code, "the GPU's ECC mode is unknown");
        }

        return new NvmlGpuFacts(address, range, hostCapable, ecc, RunningVgpus(library, device, shown));
    }

    private ImmutableArray<NvmlVgpuFacts>? RunningVgpus(Nvml library, IntPtr device, string shown)
    {
        var code = library.RunningVgpus(device, out var instances);
        if (code != Nvml.Success)
        {
            Failed(shown, "nvmlDeviceGetActiveVgpus", code, "the GPU's running vGPUs are unknown; their vgpu_version is the host's range");
            return null;
        }

        var running = ImmutableArray.CreateBuilder<NvmlVgpuFacts>(instances.Length);
        foreach (var instance in instances)
        {
            string? uuid = null;
            code = library.MdevUuidOf(instance, out var text);
            if (code == Nvml.Success)
            {
                uuid = text.Length == 0 ? null : text;
            }
            else if (code != Nvml.NotSupported)
            {
                // NOT_SUPPORTED: a vGPU on an SR-IOV VF has no mdev.
                Failed(shown, "nvmlVgpuInstanceGetMdevUUID", code, $"which mdev the running vGPU {instance} is is unknown; that mdev's vgpu_version is the host's range");
            }

            VgpuVersion? negotiated = null;
            bool? capable = null;
            code = library.InstanceMetadata(instance, out var state, out var caps, out var version);
            if (code == Nvml.Success)
            {
                if (state == GuestInfoInitialized)
                {
                    negotiated = VgpuVersion.FromEncoded(version);
                    capable = (caps & 1) != 0;
                }
            }
            else
            {
                Failed(shown, "nvmlVgpuInstanceGetMetadata", code, $"the running vGPU {instance}{(uuid is null ? string.Empty : $" (mdev {uuid})")}: its negotiated vGPU version is unknown; its vgpu_version is the host's range");
            }

            running.Add(new NvmlVgpuFacts(instance, uuid, negotiated, capable));
        }

        return running.MoveToImmutable();
    }

    private void Failed(string shown, string function, int code, string consequence) =>
        warnings.Add(SysfsWarningCodes.NvmlCallFailed, shown, $"{function} returned {Nvml.Describe(code)}: {consequence}");
}
