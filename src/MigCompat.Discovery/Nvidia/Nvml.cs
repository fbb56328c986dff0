using System.Globalization;
using System.Runtime.InteropServices;

namespace MigCompat.Discovery.Nvidia;

/// <summary>
/// The few read-only NVML calls the scan makes, bound at run time from <c>libnvidia-ml.so.1</c> (or another
/// path) with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>: no setter is bound. Struct layouts
/// are those of <c>nvml.h</c> (offsets below); every call returns NVML's own return code, never throws.
/// </summary>
internal sealed class Nvml : IDisposable
{
    /// <summary><c>NVML_SUCCESS</c>.</summary>
    public const int Success = 0;

    /// <summary><c>NVML_ERROR_NOT_SUPPORTED</c>.</summary>
    public const int NotSupported = 3;

    /// <summary><c>NVML_ERROR_INSUFFICIENT_SIZE</c>: the buffer is too small; the needed size was written back.</summary>
    public const int InsufficientSize = 7;

    /// <summary><c>NVML_DEVICE_UUID_BUFFER_SIZE</c>: the buffer an mdev UUID is written into.</summary>
    private const int UuidBufferSize = 80;

    /// <summary><c>NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE</c>.</summary>
    private const int DriverVersionBufferSize = 80;

    /// <summary>
    /// <c>sizeof(nvmlVgpuPgpuMetadata_t)</c>: version, revision, hostDriverVersion[80], pgpuVirtualizationCaps,
    /// reserved[5], hostSupportedVgpuRange {minVersion, maxVersion}, opaqueDataSize, opaqueData[4].
    /// </summary>
    private const int PgpuMetadataSize = 8 + DriverVersionBufferSize + 4 + (5 * 4) + 8 + 4 + 4;

    private const int PgpuCapsOffset = 8 + DriverVersionBufferSize;
    private const int HostRangeOffset = PgpuCapsOffset + 4 + (5 * 4);

    /// <summary>
    /// <c>sizeof(nvmlVgpuMetadata_t)</c>: version, revision, guestInfoState, guestDriverVersion[80],
    /// hostDriverVersion[80], reserved[6], vgpuVirtualizationCaps, guestVgpuVersion, opaqueDataSize, opaqueData[4].
    /// </summary>
    private const int VgpuMetadataSize = 12 + (2 * DriverVersionBufferSize) + (6 * 4) + 4 + 4 + 4 + 4;

    private const int GuestInfoStateOffset = 8;
    private const int VgpuCapsOffset = 12 + (2 * DriverVersionBufferSize) + (6 * 4);
    private const int GuestVgpuVersionOffset = VgpuCapsOffset + 4;

    /// <summary>The most bytes a metadata buffer may grow to when NVML asks for more (the opaque data is a few hundred bytes).</summary>
    private const int MaxBufferBytes = 1024 * 1024;

    /// <summary>How often a call is repeated with the size NVML asked for before giving up (the size may change between calls).</summary>
    private const int MaxAttempts = 4;

    /// <summary>The functions bound, by name, with the delegate type each is called through. No setter.</summary>
    private static readonly Dictionary<string, Type> Functions = new(StringComparer.Ordinal)
    {
        ["nvmlInit_v2"] = typeof(NoArguments),
        ["nvmlShutdown"] = typeof(NoArguments),
        ["nvmlDeviceGetHandleByPciBusId_v2"] = typeof(HandleByBusId),
        ["nvmlDeviceGetEccMode"] = typeof(EccMode),
        ["nvmlDeviceGetVgpuMetadata"] = typeof(DeviceBuffer),
        ["nvmlDeviceGetActiveVgpus"] = typeof(ActiveVgpus),
        ["nvmlVgpuInstanceGetMdevUUID"] = typeof(MdevUuid),
        ["nvmlVgpuInstanceGetMetadata"] = typeof(InstanceBuffer),
    };

    private readonly IntPtr handle;
    private readonly NoArguments init;
    private readonly NoArguments shutdown;
    private readonly HandleByBusId handleByBusId;
    private readonly EccMode eccMode;
    private readonly DeviceBuffer pgpuMetadata;
    private readonly ActiveVgpus activeVgpus;
    private readonly MdevUuid mdevUuid;
    private readonly InstanceBuffer vgpuMetadata;

    private Nvml(IntPtr handle, Func<string, Delegate> bind)
    {
        this.handle = handle;
        init = (NoArguments)bind("nvmlInit_v2");
        shutdown = (NoArguments)bind("nvmlShutdown");
        handleByBusId = (HandleByBusId)bind("nvmlDeviceGetHandleByPciBusId_v2");
        eccMode = (EccMode)bind("nvmlDeviceGetEccMode");
        pgpuMetadata = (DeviceBuffer)bind("nvmlDeviceGetVgpuMetadata");
        activeVgpus = (ActiveVgpus)bind("nvmlDeviceGetActiveVgpus");
        mdevUuid = (MdevUuid)bind("nvmlVgpuInstanceGetMdevUUID");
        vgpuMetadata = (InstanceBuffer)bind("nvmlVgpuInstanceGetMetadata");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NoArguments();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int HandleByBusId([MarshalAs(UnmanagedType.LPUTF8Str)] string busId, out IntPtr device);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int EccMode(IntPtr device, out int current, out int pending);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DeviceBuffer(IntPtr device, IntPtr buffer, ref uint bufferSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InstanceBuffer(uint vgpuInstance, IntPtr buffer, ref uint bufferSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ActiveVgpus(IntPtr device, ref uint count, IntPtr instances);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MdevUuid(uint vgpuInstance, IntPtr buffer, uint size);

    private delegate int SizedCall(IntPtr buffer, ref uint size);

    /// <summary>
    /// Loads the library at <paramref name="path"/> (a file name is looked up as the dynamic loader does) and
    /// binds every function used; null with <paramref name="problem"/> saying why when it cannot be loaded or
    /// lacks one of them.
    /// </summary>
    public static Nvml? TryLoad(string path, out string? problem)
    {
        if (!NativeLibrary.TryLoad(path, out var handle))
        {
            problem = "the library cannot be loaded (not installed, or not a library for this machine)";
            return null;
        }

        // Every function is looked up before any is used: a library that lacks one is not used at all.
        foreach (var (name, _) in Functions)
        {
            if (!NativeLibrary.TryGetExport(handle, name, out _))
            {
                NativeLibrary.Free(handle);
                problem = $"the library has no function {name} (an NVML older than the vGPU metadata calls?)";
                return null;
            }
        }

        problem = null;
        return new Nvml(handle, name => Marshal.GetDelegateForFunctionPointer(NativeLibrary.GetExport(handle, name), Functions[name]));
    }

    /// <summary><c>nvmlInit_v2</c>.</summary>
    public int Init() => init();

    /// <summary><c>nvmlShutdown</c>.</summary>
    public int Shutdown() => shutdown();

    /// <summary><c>nvmlDeviceGetHandleByPciBusId_v2</c> with a sysfs address (<c>0000:3b:00.0</c>, a form NVML accepts).</summary>
    public int DeviceByBusId(string busId, out IntPtr device) => handleByBusId(busId, out device);

    /// <summary><c>nvmlDeviceGetEccMode</c>: the current mode (<c>NVML_FEATURE_ENABLED</c> = 1).</summary>
    public int EccEnabled(IntPtr device, out bool enabled)
    {
        var code = eccMode(device, out var current, out _);
        enabled = current == 1;
        return code;
    }

    /// <summary><c>nvmlDeviceGetVgpuMetadata</c>: <c>pgpuVirtualizationCaps</c> and <c>hostSupportedVgpuRange</c>.</summary>
    public int HostMetadata(IntPtr device, out uint caps, out uint minVersion, out uint maxVersion)
    {
        uint c = 0, min = 0, max = 0;
        var code = CallSized(PgpuMetadataSize, (IntPtr buffer, ref uint size) => pgpuMetadata(device, buffer, ref size), buffer =>
        {
            c = ReadUInt(buffer, PgpuCapsOffset);
            min = ReadUInt(buffer, HostRangeOffset);
            max = ReadUInt(buffer, HostRangeOffset + 4);
        });
        (caps, minVersion, maxVersion) = (c, min, max);
        return code;
    }

    /// <summary><c>nvmlVgpuInstanceGetMetadata</c>: <c>guestInfoState</c>, <c>vgpuVirtualizationCaps</c>, <c>guestVgpuVersion</c>.</summary>
    public int InstanceMetadata(uint instance, out int guestInfoState, out uint caps, out uint guestVersion)
    {
        int state = 0;
        uint c = 0, version = 0;
        var code = CallSized(VgpuMetadataSize, (IntPtr buffer, ref uint size) => vgpuMetadata(instance, buffer, ref size), buffer =>
        {
            state = (int)ReadUInt(buffer, GuestInfoStateOffset);
            c = ReadUInt(buffer, VgpuCapsOffset);
            version = ReadUInt(buffer, GuestVgpuVersionOffset);
        });
        (guestInfoState, caps, guestVersion) = (state, c, version);
        return code;
    }

    /// <summary><c>nvmlDeviceGetActiveVgpus</c>: the running vGPU instances of a physical GPU (asks for the count first).</summary>
    public int RunningVgpus(IntPtr device, out uint[] instances)
    {
        instances = [];
        uint count = 0;
        var code = activeVgpus(device, ref count, IntPtr.Zero);
        for (var attempt = 0; attempt < MaxAttempts && code == InsufficientSize && count is > 0 and <= MaxBufferBytes / 4; attempt++)
        {
            var buffer = Marshal.AllocHGlobal((int)count * 4);
            try
            {
                var asked = count;
                code = activeVgpus(device, ref count, buffer);
                if (code == Success)
                {
                    instances = new uint[Math.Min(count, asked)];
                    for (var i = 0; i < instances.Length; i++)
                    {
                        instances[i] = ReadUInt(buffer, i * 4);
                    }
                }
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }

        return code;
    }

    /// <summary><c>nvmlVgpuInstanceGetMdevUUID</c>: the mdev UUID of an mdev-based vGPU (empty when it has none).</summary>
    public int MdevUuidOf(uint instance, out string uuid)
    {
        uuid = string.Empty;
        var buffer = Marshal.AllocHGlobal(UuidBufferSize);
        try
        {
            Zero(buffer, UuidBufferSize);
            var code = mdevUuid(instance, buffer, UuidBufferSize);
            if (code == Success)
            {
                // Terminated within the buffer: the last byte stays 0 even if NVML filled the rest.
                Marshal.WriteByte(buffer, UuidBufferSize - 1, 0);
                uuid = (Marshal.PtrToStringUTF8(buffer) ?? string.Empty).Trim();
            }

            return code;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>The name of an NVML return code as <c>nvml.h</c> spells it, with its number: <c>NVML_ERROR_NOT_FOUND (6)</c>.</summary>
    public static string Describe(int code)
    {
        var name = code switch
        {
            0 => "NVML_SUCCESS",
            1 => "NVML_ERROR_UNINITIALIZED",
            2 => "NVML_ERROR_INVALID_ARGUMENT",
            3 => "NVML_ERROR_NOT_SUPPORTED",
            4 => "NVML_ERROR_NO_PERMISSION",
            5 => "NVML_ERROR_ALREADY_INITIALIZED",
            6 => "NVML_ERROR_NOT_FOUND",
            7 => "NVML_ERROR_INSUFFICIENT_SIZE",
            8 => "NVML_ERROR_INSUFFICIENT_POWER",
            9 => "NVML_ERROR_DRIVER_NOT_LOADED",
            10 => "NVML_ERROR_TIMEOUT",
            11 => "NVML_ERROR_IRQ_ISSUE",
            12 => "NVML_ERROR_LIBRARY_NOT_FOUND",
            13 => "NVML_ERROR_FUNCTION_NOT_FOUND",
            14 => "NVML_ERROR_CORRUPTED_INFOROM",
            15 => "NVML_ERROR_GPU_IS_LOST",
            16 => "NVML_ERROR_RESET_REQUIRED",
            17 => "NVML_ERROR_OPERATING_SYSTEM",
            18 => "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
            19 => "NVML_ERROR_IN_USE",
            20 => "NVML_ERROR_MEMORY",
            21 => "NVML_ERROR_NO_DATA",
            22 => "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
            23 => "NVML_ERROR_INSUFFICIENT_RESOURCES",
            24 => "NVML_ERROR_FREQ_NOT_SUPPORTED",
            25 => "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
            26 => "NVML_ERROR_DEPRECATED",
            27 => "NVML_ERROR_NOT_READY",
            28 => "NVML_ERROR_GPU_NOT_FOUND",
            29 => "NVML_ERROR_INVALID_STATE",
            999 => "NVML_ERROR_UNKNOWN",
            _ => "NVML return code",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{name} ({code})");
    }

    /// <summary>Unloads the library (after <see cref="Shutdown"/>).</summary>
    public void Dispose() => NativeLibrary.Free(handle);

    /// <summary>
    /// A call that fills a caller-sized buffer: first with the plain struct size; on <see cref="InsufficientSize"/>
    /// NVML has written the size it needs, and the call is repeated with that (a few times, up to a bound).
    /// </summary>
    private static int CallSized(int structSize, SizedCall call, Action<IntPtr> read)
    {
        var size = (uint)structSize;
        var code = InsufficientSize;
        for (var attempt = 0; attempt < MaxAttempts && code == InsufficientSize; attempt++)
        {
            var allocated = (int)size;
            var buffer = Marshal.AllocHGlobal(allocated);
            try
            {
                Zero(buffer, allocated);
                code = call(buffer, ref size);
                if (code == Success)
                {
                    read(buffer);
                }
                else if (code == InsufficientSize && (size <= (uint)allocated || size > MaxBufferBytes))
                {
                    // Asked for no more room, or for far too much: give up with NVML's answer.
                    return code;
                }
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }

        return code;
    }

    private static uint ReadUInt(IntPtr buffer, int offset) => (uint)Marshal.ReadInt32(buffer, offset);

    private static void Zero(IntPtr buffer, int length) => Marshal.Copy(new byte[length], 0, buffer, length);
}
