using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Nvidia;
using MigCompat.Discovery.Sysfs;
using MigCompat.Discovery.Tests.Sysfs;

namespace MigCompat.Discovery.Tests.Nvidia;

/// <summary>
/// NVIDIA vGPU state through NVML: each case scans a sysfs fixture with a fake NVML (<see cref="FakeNvml"/>)
/// configured for it, and checks the NVIDIA fields of every device and type and the NVML warnings.
/// </summary>
public class NvmlScanTests
{
    private const string Mdev = "b1d2c3e4-0000-4000-8000-000000000063";
    private const string P4 = "0000:3b:00.0";
    private const string H200 = "0000:41:00.0";
    private const string L40s = "0000:c1:00.0";
    private const string Missing = "(no library)";

    /// <summary>The L40S of the VF fixture, so that the VF cases need not repeat it.</summary>
    private const string L40sGpu = "gpu 0000:c1:00.0 range=0x120001-0x180001 caps=1 ecc=0\n";

    private const string L40sTypes = "gpu=10de:26b9 ecc=off vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes";

    private static readonly string[] NoWarnings = [];

    private static readonly Dictionary<string, string> VfTypes = new()
    {
        [$"{L40s}/nvidia-1155"] = L40sTypes,
        [$"{L40s}/nvidia-1157"] = L40sTypes,
    };

    public static TheoryData<string, string, string, string[], string[]> Cases => new()
    {
        // what the case is; the sysfs fixture; the fake NVML's config (or Missing);
        // "<device id or parent/type>: <fields>" for every NVIDIA vGPU device and type; the NVML warning codes
        {
            "mdev: the host range and the negotiated version",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=18.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: the guest driver has not loaded, so the version is the host range",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x120001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=0 version=0x120001 caps=0\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-18.1 vgpu_version=7.1-18.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-18.1 vgpu_version=7.1-18.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-18.1 vgpu_version=7.1-18.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: no VM running (no active vGPU), ECC off",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x120001-0x1a0001 caps=1 ecc=0\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=off vgpu_range=18.1-26.1 vgpu_version=18.1-26.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=off vgpu_range=18.1-26.1 vgpu_version=18.1-26.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=off vgpu_range=18.1-26.1 vgpu_version=18.1-26.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: a GPU without ECC (NOT_SUPPORTED) has no ecc field and no warning",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=1 ecc_rc=3\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x100001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=16.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: migration not supported by the host, or by the guest",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=0 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=18.1 migration.capable=no",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=no",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=no",
            ],
            NoWarnings
        },
        {
            "mdev: the guest says it cannot migrate",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=0\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=18.1 migration.capable=no",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: metadata of exactly the struct size (no INSUFFICIENT_SIZE round)",
            SysfsFixtures.NvidiaMdev,
            $"opaque 4\ngpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=18.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "mdev: a large opaque blob (INSUFFICIENT_SIZE, then the size NVML asked for)",
            SysfsFixtures.NvidiaMdev,
            $"opaque 4000\ngpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=18.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            NoWarnings
        },
        {
            "no NVML library: gpu only, and MCS030",
            SysfsFixtures.NvidiaMdev,
            Missing,
            [
                $"{Mdev}: gpu=10de:1bb3",
                $"{P4}/nvidia-63: gpu=10de:1bb3",
                $"{P4}/nvidia-64: gpu=10de:1bb3",
            ],
            [SysfsWarningCodes.NvmlUnavailable]
        },
        {
            "nvmlInit_v2 fails (driver not loaded): gpu only, and MCS030",
            SysfsFixtures.NvidiaMdev,
            $"init_rc 9\ngpu {P4} range=0x70001-0x140001 caps=1 ecc=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3",
                $"{P4}/nvidia-63: gpu=10de:1bb3",
                $"{P4}/nvidia-64: gpu=10de:1bb3",
            ],
            [SysfsWarningCodes.NvmlUnavailable]
        },
        {
            "NVML does not know the GPU: gpu only, and MCS031",
            SysfsFixtures.NvidiaMdev,
            "gpu 0000:af:00.0 range=0x70001-0x140001 caps=1 ecc=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3",
                $"{P4}/nvidia-63: gpu=10de:1bb3",
                $"{P4}/nvidia-64: gpu=10de:1bb3",
            ],
            [SysfsWarningCodes.NvmlCallFailed]
        },
        {
            "the host metadata call fails (no permission): no range, and MCS031",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} meta_rc=4 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_version=18.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on",
            ],
            [SysfsWarningCodes.NvmlCallFailed]
        },
        {
            "the vGPU metadata call fails: the version is the host range, and MCS031",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} meta_rc=999\n",
            [
                $"{Mdev}: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 ecc=on vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            [SysfsWarningCodes.NvmlCallFailed]
        },
        {
            "the ECC and active-vGPU calls fail: no ecc, the version is the host range, and MCS031",
            SysfsFixtures.NvidiaMdev,
            $"gpu {P4} range=0x70001-0x140001 caps=1 ecc_rc=15 active_rc=15\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-63: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
                $"{P4}/nvidia-64: gpu=10de:1bb3 vgpu_range=7.1-20.1 vgpu_version=7.1-20.1 migration.capable=yes",
            ],
            [SysfsWarningCodes.NvmlCallFailed, SysfsWarningCodes.NvmlCallFailed]
        },
        {
            "VF-based: as many running vGPUs as configured VFs, both negotiated 18.1",
            SysfsFixtures.NvidiaVgpuVf,
            $"gpu {H200} range=0x120001-0x180001 caps=1 ecc=1\n{L40sGpu}vgpu {H200} id=10 uuid_rc=3 state=1 version=0x120001 caps=1\nvgpu {H200} id=11 uuid_rc=3 state=1 version=0x120001 caps=1\n",
            [
                "0000:41:00.4: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1 migration.capable=yes",
                "0000:41:00.5: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1 migration.capable=yes",
                $"{H200}/nvidia-1414: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                .. VfTypes.Select(t => $"{t.Key}: {t.Value}"),
            ],
            NoWarnings
        },
        {
            "VF-based: two VFs that negotiated 17.1 and 18.1 (which is which is unknown), one guest that cannot migrate",
            SysfsFixtures.NvidiaVgpuVf,
            $"gpu {H200} range=0x70001-0x180001 caps=1 ecc=1\n{L40sGpu}vgpu {H200} id=10 mdev= state=1 version=0x110001 caps=1\nvgpu {H200} id=11 mdev= state=1 version=0x120001 caps=0\n",
            [
                "0000:41:00.4: gpu=10de:2335 ecc=on vgpu_range=7.1-24.1 vgpu_version=17.1-18.1 migration.capable=no",
                "0000:41:00.5: gpu=10de:2335 ecc=on vgpu_range=7.1-24.1 vgpu_version=17.1-18.1 migration.capable=no",
                $"{H200}/nvidia-1414: gpu=10de:2335 ecc=on vgpu_range=7.1-24.1 vgpu_version=7.1-24.1 migration.capable=yes",
                .. VfTypes.Select(t => $"{t.Key}: {t.Value}"),
            ],
            NoWarnings
        },
        {
            "VF-based: one of two guests has not loaded its driver: anywhere in the host range",
            SysfsFixtures.NvidiaVgpuVf,
            $"gpu {H200} range=0x120001-0x180001 caps=1 ecc=1\n{L40sGpu}vgpu {H200} id=10 uuid_rc=3 state=1 version=0x120001 caps=1\nvgpu {H200} id=11 uuid_rc=3 state=0\n",
            [
                "0000:41:00.4: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                "0000:41:00.5: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                $"{H200}/nvidia-1414: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                .. VfTypes.Select(t => $"{t.Key}: {t.Value}"),
            ],
            NoWarnings
        },
        {
            "VF-based: one running vGPU on two configured VFs cannot be tied to either: host range, and MCS032",
            SysfsFixtures.NvidiaVgpuVf,
            $"gpu {H200} range=0x120001-0x180001 caps=1 ecc=1\n{L40sGpu}vgpu {H200} id=10 uuid_rc=3 state=1 version=0x120001 caps=1\n",
            [
                "0000:41:00.4: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                "0000:41:00.5: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                $"{H200}/nvidia-1414: gpu=10de:2335 ecc=on vgpu_range=18.1-24.1 vgpu_version=18.1-24.1 migration.capable=yes",
                .. VfTypes.Select(t => $"{t.Key}: {t.Value}"),
            ],
            [SysfsWarningCodes.NvmlVgpuUnmatched]
        },
        {
            "VF-based without NVML: gpu (the PF's ids) only, and MCS030",
            SysfsFixtures.NvidiaVgpuVf,
            Missing,
            [
                "0000:41:00.4: gpu=10de:2335",
                "0000:41:00.5: gpu=10de:2335",
                $"{H200}/nvidia-1414: gpu=10de:2335",
                $"{L40s}/nvidia-1155: gpu=10de:26b9",
                $"{L40s}/nvidia-1157: gpu=10de:26b9",
            ],
            [SysfsWarningCodes.NvmlUnavailable]
        },
        {
            "mdev on an SR-IOV VF (vGPU on Ampere): NVML is asked for the PF",
            AmpereMdev,
            $"gpu 0000:ca:00.0 range=0x70001-0x120001 caps=1 ecc=1\nvgpu 0000:ca:00.0 id=3 mdev={Mdev} state=1 version=0x100001 caps=1\n",
            [
                $"{Mdev}: gpu=10de:20b5 ecc=on vgpu_range=7.1-18.1 vgpu_version=16.1 migration.capable=yes",
                "0000:ca:00.4/nvidia-700: gpu=10de:20b5 ecc=on vgpu_range=7.1-18.1 vgpu_version=7.1-18.1 migration.capable=yes",
            ],
            NoWarnings
        },
    };

    /// <summary>An A100 in SR-IOV mode whose VF <c>0000:ca:00.4</c> is the mdev parent (vGPU 13-16 on Ampere).</summary>
    private const string AmpereMdev = "ampere-mdev-on-vf";

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_scan_adds_what_nvml_says_to_every_nvidia_vgpu(string what, string fixtureName, string config, string[] expected, string[] warningCodes)
    {
        using var fixture = Build(fixtureName);
        using var nvml = FakeNvml.Create(config == Missing ? string.Empty : config);
        var library = config == Missing ? Path.Combine(nvml.Directory, "absent", "libnvidia-ml.so.1") : nvml.LibraryPath;

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = library });

        Assert.True(expected.SequenceEqual(NvidiaFields(inventory)), $"{what}:\n{string.Join("\n", NvidiaFields(inventory))}");
        var nvmlWarnings = inventory.Warnings.Where(static w => w.Code.StartsWith("MCS03", StringComparison.Ordinal)).ToList();
        Assert.True(warningCodes.SequenceEqual(nvmlWarnings.Select(static w => w.Code)), $"{what}: {string.Join("\n", nvmlWarnings)}");
        if (config != Missing)
        {
            // Started once; shut down at the end when it started; nothing but the getters called.
            Assert.Equal("nvmlInit_v2", nvml.Calls[0]);
            Assert.Single(nvml.Calls, static c => c == "nvmlInit_v2");
            Assert.Equal(config.StartsWith("init_rc", StringComparison.Ordinal) ? "nvmlInit_v2" : "nvmlShutdown", nvml.Calls[^1]);
            Assert.All(nvml.Calls, static c => Assert.True(c is "nvmlInit_v2" or "nvmlShutdown" || c.Contains("Get", StringComparison.Ordinal), c));
        }
    }

    [Fact]
    public void Nvml_is_initialized_once_shut_down_at_the_end_and_only_read()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);
        using var nvml = FakeNvml.Create($"gpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n");

        SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = nvml.LibraryPath });

        // The GPU is read once for its two types and its mdev; each metadata call first gets INSUFFICIENT_SIZE.
        Assert.Equal(
            [
                "nvmlInit_v2",
                "nvmlDeviceGetHandleByPciBusId_v2",
                "nvmlDeviceGetVgpuMetadata", "nvmlDeviceGetVgpuMetadata",
                "nvmlDeviceGetEccMode",
                "nvmlDeviceGetActiveVgpus", "nvmlDeviceGetActiveVgpus",
                "nvmlVgpuInstanceGetMdevUUID",
                "nvmlVgpuInstanceGetMetadata", "nvmlVgpuInstanceGetMetadata",
                "nvmlShutdown",
            ],
            nvml.Calls);
    }

    [Theory]
    [InlineData(SysfsFixtures.Gvtg)]
    [InlineData(SysfsFixtures.NvgraceVariant)]
    [InlineData(SysfsFixtures.SriovVfs)]
    public void Nvml_is_not_loaded_and_not_missed_on_a_host_without_nvidia_vgpus(string fixtureName)
    {
        using var fixture = SysfsFixtures.Build(fixtureName);
        using var nvml = FakeNvml.Create(string.Empty);

        var withFake = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = nvml.LibraryPath });
        var withNone = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = "/nonexistent/libnvidia-ml.so.1" });

        Assert.Empty(nvml.Calls);
        Assert.DoesNotContain(withNone.Warnings, static w => w.Code.StartsWith("MCS03", StringComparison.Ordinal));
        Assert.Equal(InventoryJson.Serialize(withFake), InventoryJson.Serialize(withNone));
    }

    [Fact]
    public void Nvml_off_adds_the_gpu_only_and_says_nothing()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = null });

        Assert.Equal([$"{Mdev}: gpu=10de:1bb3", $"{P4}/nvidia-63: gpu=10de:1bb3", $"{P4}/nvidia-64: gpu=10de:1bb3"], NvidiaFields(inventory));
        Assert.Empty(inventory.Warnings);
    }

    [Fact]
    public void Warnings_name_the_nvml_function_and_its_return_code()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);
        using var nvml = FakeNvml.Create($"init_rc 9\n");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = nvml.LibraryPath });

        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal((SysfsWarningCodes.NvmlUnavailable, nvml.LibraryPath), (warning.Code, warning.Path));
        Assert.StartsWith("NVML is not available (nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED (9))", warning.Message, StringComparison.Ordinal);
        Assert.Contains("whole vGPU range", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_that_is_not_nvml_is_not_used()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);

        // libc loads, but has none of NVML's functions.
        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = "libc.so.6" });

        var warning = Assert.Single(inventory.Warnings);
        Assert.Equal(SysfsWarningCodes.NvmlUnavailable, warning.Code);
        Assert.StartsWith("NVML is not available (the library has no function nvmlInit_v2", warning.Message, StringComparison.Ordinal);
        Assert.Equal([$"{Mdev}: gpu=10de:1bb3", $"{P4}/nvidia-63: gpu=10de:1bb3", $"{P4}/nvidia-64: gpu=10de:1bb3"], NvidiaFields(inventory));
    }

    [Fact]
    public void A_profile_descriptor_keeps_its_fields_and_gets_the_nvml_fields_after_them()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdevWithProfile);
        using var nvml = FakeNvml.Create($"gpu {P4} range=0x70001-0x140001 caps=1 ecc=1\nvgpu {P4} id=7 mdev={Mdev} state=1 version=0x120001 caps=1\n");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { ShippedRulePacks = false, NvmlLibrary = nvml.LibraryPath });

        var device = Assert.Single(inventory.Devices);
        Assert.Equal(DescriptorOrigin.Profile, device.Descriptor.Origin);
        Assert.Equal(
            ["device_api=vfio-pci", "mdev_type=grid-p4-1q", "gpu=10de:1bb3", "ecc=on", "vgpu_range=7.1-20.1", "vgpu_version=18.1", "migration.capable=yes"],
            device.Descriptor.Self.Select(static f => $"{f.Key}={f.Value}").Where(static f => !f.StartsWith("software_version", StringComparison.Ordinal) && !f.StartsWith("migration.evidence", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(0x70001u, "7.1")]
    [InlineData(0x120001u, "18.1")]
    [InlineData(0x1A0001u, "26.1")]
    [InlineData(0x180002u, "24.2")]
    [InlineData(0x10000u, "1.0")]
    public void Vgpu_versions_are_decoded_as_major_bits_31_16_and_minor_bits_15_0(uint encoded, string expected)
    {
        Assert.Equal(expected, VgpuVersion.FromEncoded(encoded).ToString());
    }

    private static SysfsFixture Build(string name)
    {
        if (name != AmpereMdev)
        {
            return SysfsFixtures.Build(name);
        }

        const string vfPath = SysfsFixture.PciRoot + "/0000:ca:00.4";
        var fixture = new SysfsFixture();
        fixture.Module("nvidia", "535.161.07")
            .PciDevice("0000:ca:00.0", "0x10de", "0x20b5", driver: "nvidia", iommuGroup: 90, pciClass: "0x030200")
            .PciDevice("0000:ca:00.4", "0x10de", "0x20b5", driver: "nvidia", iommuGroup: 91, pciClass: "0x030200", physfn: "0000:ca:00.0")
            .MdevParent(vfPath)
            .MdevType(vfPath, "nvidia-700", "NVIDIA A100-4C", "vfio-pci", 0)
            .MdevInstance(vfPath, "nvidia-700", Mdev, iommuGroup: 91);
        return fixture;
    }

    [Fact]
    public void What_nvml_says_replaces_the_rule_packs_branch_table_and_the_packs_rules_stay()
    {
        using var fixture = SysfsFixtures.Build(SysfsFixtures.NvidiaMdev);
        using var nvml = FakeNvml.Create($"gpu {P4} range=0x70001-0x130001 caps=1 ecc=1\nvgpu {P4} id=3 mdev={Mdev} state=1 version=0x110001 caps=1\n");

        var inventory = SysfsScanner.Scan(SysfsScanning.Options(fixture) with { NvmlLibrary = nvml.LibraryPath });

        var self = inventory.Devices.Single(d => d.Id == Mdev).Descriptor.Self;
        Assert.Equal("7.1-19.1", self.Single(f => f.Key == "vgpu_range").Value);
        Assert.Equal("17.1", self.Single(f => f.Key == "vgpu_version").Value);
        Assert.Equal("within vgpu_range", self.Single(f => f.Key == "rule.vgpu_version").Value);
        Assert.StartsWith("rule-pack nvidia-vgpu", self.Single(f => f.Key == "migration.evidence").Value, StringComparison.Ordinal);
    }

    /// <summary>"<c>id: fields</c>" for each device and type with NVIDIA fields (devices, then types), fields in descriptor order.</summary>
    private static List<string> NvidiaFields(HostInventory inventory)
    {
        string[] names = [NvidiaVgpuFields.Gpu, NvidiaVgpuFields.Ecc, NvidiaVgpuFields.VgpuRange, NvidiaVgpuFields.VgpuVersion, NvidiaVgpuFields.MigrationCapable];
        string Fields(DescriptorFields descriptor) =>
            string.Join(' ', descriptor.Self.Where(f => names.Contains(f.Key)).Select(static f => $"{f.Key}={f.Value}"));
        return
        [
            .. inventory.Devices.Where(d => Fields(d.Descriptor).Length > 0).Select(d => $"{d.Id}: {Fields(d.Descriptor)}"),
            .. inventory.CreatableTypes.Where(t => Fields(t.Descriptor).Length > 0).Select(t => $"{t.Parent}/{t.TypeId}: {Fields(t.Descriptor)}"),
        ];
    }
}
