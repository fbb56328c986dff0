using System.Collections.Immutable;
using System.Text;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Files;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Sysfs;

/// <summary>
/// The VMs that hold the scanned devices: each process the VFIO lookup (<see cref="VfioUsage"/>) found
/// holding VFIO files whose <c>&lt;pid&gt;/cmdline</c> is a QEMU's (<c>argv[0]</c>'s file name starts with
/// <c>qemu-system-</c> or is <c>qemu-kvm</c>) is a guest named by its <c>-name guest=NAME</c> (or the
/// legacy <c>-name NAME</c>) with its <c>-uuid</c>, and the devices of the IOMMU groups and device files it
/// holds. Read-only; every command line is read bounded in size and time. A process that exited
/// meanwhile is no guest; another holder (no QEMU, or a QEMU without <c>-name</c>) is none either, and its
/// devices stay in use. Docs: docs/discovery.md, "Which VM uses a device".
/// </summary>
internal static class QemuGuests
{
    /// <summary>The most bytes of one command line read: QEMU's with many JSON <c>-device</c> arguments stays far below.</summary>
    public const int MaxCommandLineBytes = 1024 * 1024;

    /// <summary>
    /// The guests of <paramref name="holders"/>, in process-id order: QEMU processes of the same name
    /// (an incoming migration on the same host) form one guest, and a device belongs to the first guest
    /// that holds it.
    /// </summary>
    /// <param name="holders">Per process id (in numeric order), the IOMMU groups and device ids whose VFIO files it holds.</param>
    /// <param name="devices">The scanned devices.</param>
    /// <param name="root">The proc root's full path.</param>
    /// <param name="shown">The proc root as the caller named it, for warnings.</param>
    /// <param name="timeout">How long one command line read may take.</param>
    /// <param name="warnings">Where an unreadable command line is reported.</param>
    public static ImmutableArray<InventoryGuest> Find(
        IReadOnlyList<(string Pid, IReadOnlySet<int> Groups, IReadOnlySet<string> DeviceIds)> holders,
        ImmutableArray<InventoryDevice> devices,
        string root,
        string shown,
        TimeSpan timeout,
        ScanWarnings warnings)
    {
        var guests = new List<InventoryGuest>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (pid, groups, deviceIds) in holders)
        {
            var held = devices.Where(d => (d.IommuGroup is { } group && groups.Contains(group)) || deviceIds.Contains(d.Id)).Select(d => d.Id).ToList();
            if (held.Count == 0)
            {
                // Files of devices the scan does not list: this holder's command line says nothing here.
                continue;
            }

            var read = AttributeReader.Read(string.Concat(root, "/", pid, "/cmdline"), MaxCommandLineBytes, timeout);
            if (read.Status == AttributeReadStatus.Missing)
            {
                continue;
            }

            if (read.Status != AttributeReadStatus.Ok)
            {
                warnings.Add(
                    SysfsWarningCodes.GuestUnknown,
                    string.Concat(shown == "/" ? string.Empty : shown, "/", pid, "/cmdline"),
                    $"cannot read the command line of process {pid}, which holds VFIO files open ({read.Reason ?? read.Status.ToString()}); its devices are in use but not tied to a VM");
                continue;
            }

            if (Parse(read.Text!.Split('\0')) is not { Name: { } name } vm)
            {
                continue;
            }

            var ids = held.Where(taken.Add).ToList();
            var same = guests.FindIndex(g => g.Name == name);
            if (same >= 0)
            {
                guests[same] = guests[same] with { Uuid = guests[same].Uuid ?? vm.Uuid, DeviceIds = [.. guests[same].DeviceIds, .. ids] };
                continue;
            }

            var uuid = vm.Uuid is not null && guests.Any(g => g.Uuid == vm.Uuid) ? null : vm.Uuid;
            guests.Add(new InventoryGuest(name, uuid, [.. ids]));
        }

        return [.. guests];
    }

    /// <summary>
    /// The VM name (<c>-name</c>) and UUID (<c>-uuid</c>, lower case) of a QEMU command line; null when
    /// <c>argv[0]</c> is no QEMU. Either may be null (not given, blank, not a UUID); the last of a repeated
    /// option wins, as QEMU takes it. A NUL-terminated <c>cmdline</c> ends with an empty argument: ignored.
    /// </summary>
    /// <param name="argv">The arguments, <c>argv[0]</c> first.</param>
    public static (string? Name, string? Uuid)? Parse(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || !IsQemu(argv[0]))
        {
            return null;
        }

        string? name = null;
        string? uuid = null;
        for (var i = 1; i + 1 < argv.Count; i++)
        {
            switch (argv[i])
            {
                case "-name" or "--name":
                    name = GuestName(argv[++i]);
                    break;
                case "-uuid" or "--uuid":
                    uuid = Guid.TryParseExact(argv[++i], "D", out var parsed) ? parsed.ToString("D") : null;
                    break;
            }
        }

        return (name, uuid);
    }

    private static bool IsQemu(string argv0)
    {
        var file = argv0[(argv0.LastIndexOf('/') + 1)..];
        return file.StartsWith("qemu-system-", StringComparison.Ordinal) || file == "qemu-kvm";
    }

    /// <summary>
    /// The <c>guest</c> of a <c>-name</c> value in QEMU's option syntax: <c>key=value</c> pairs split at
    /// single commas, <c>,,</c> a literal comma; a first part without <c>=</c> is the guest name (the
    /// legacy <c>-name NAME</c>). Null when there is none or it is blank.
    /// </summary>
    private static string? GuestName(string value)
    {
        string? guest = null;
        var part = new StringBuilder();
        var first = true;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i < value.Length && value[i] == ',' && i + 1 < value.Length && value[i + 1] == ',')
            {
                part.Append(',');
                i++;
                continue;
            }

            if (i < value.Length && value[i] != ',')
            {
                part.Append(value[i]);
                continue;
            }

            var text = part.ToString();
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 && first)
            {
                guest = text;
            }
            else if (equals >= 0 && text[..equals] == "guest")
            {
                guest = text[(equals + 1)..];
            }

            part.Clear();
            first = false;
        }

        return string.IsNullOrWhiteSpace(guest) ? null : guest;
    }
}
