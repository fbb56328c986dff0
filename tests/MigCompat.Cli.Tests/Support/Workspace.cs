using System.Collections.Immutable;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Cli.Tests.Support;

/// <summary>
/// A temp directory with one input of every class the commands read: a clean descriptor, a target,
/// a warnings-only file, a syntax error, a per-attribute directory and an inventory file.
/// Output is normalized with <see cref="Normalize"/> so golden files do not hold the temp path.
/// </summary>
public sealed class Workspace : IDisposable
{
    public const string MdevId = "d069d019-36ea-4111-8f0a-8c9a70e21366";
    public const string Parent = "0000:00:02.0";

    public Workspace()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "migcompat-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Write("valid.desc", "device_api=vfio-pci\nmdev_type=i915-GVTg_V5_4\nsoftware_version=1.2.0\naggregator=2\nDYNAMIC:\naggregator\n");
        Write("target.desc", "# an i915 V5_8 target that also takes V5_4 sources\nSELF:\n  device_api=vfio-pci\n  mdev_type=i915-GVTg_V5_8\n  software_version=1.3.0\n  aggregator=1\nCOMPATIBLE:\n  device_api=vfio-pci\n  mdev_type={t:string:\"i915-GVTg_V5_4\",\"i915-GVTg_V5_8\"}\nDYNAMIC:\n  aggregator\n");
        Write("warnings.desc", "device_api=vfio-pci\ndevice_type=pci\nmdev_type=i915-GVTg_V5_4\n");
        Write("syntax.desc", "device_api=vfio-pci\nthis is not a field\npv_mode=\"none\n");
        Write("other-api.desc", "device_api=vfio-ccw\nmdev_type=vfio_ccw-io\n");
        Write("attrs/device_api", "vfio-pci\n");
        Write("attrs/mdev_type", "i915-GVTg_V5_8\n");
        Write("attrs/software_version", "1.4.0\n");
        Write("attrs/compatible_type", "i915-GVTg_V5_4\n");
        Write("attrs/aggregator", "1\n");
        Write("attrs/dynamic_resources", "aggregator\n");
        Write("attrs/name", "GVTg_V5_8\n");
        Directory.CreateDirectory(Path("empty-dir"));
        Write("inventory.json", InventoryJson.Serialize(Inventory()));
        Write("broken.json", "{ \"schema_version\": 1, ");
    }

    public string Root { get; }

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public string Normalize(string text) => text.Replace(Root + "/", string.Empty, StringComparison.Ordinal).Replace(Root, ".", StringComparison.Ordinal);

    public void Write(string relative, string content)
    {
        var path = Path(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public static HostInventory Inventory()
    {
        var device = new InventoryDevice(
            MdevId, DeviceKind.Mdev, "vfio-pci", "i915-GVTg_V5_4", Parent, "i915", null, null, 12, null, null,
            new DescriptorFields(
                [new("device_api", "vfio-pci"), new("mdev_type", "i915-GVTg_V5_4"), new("software_version", "1.2.0"), new("aggregator", "2")],
                [],
                ["aggregator"],
                DescriptorOrigin.Profile,
                "gvtg.profile"));
        var type = new CreatableType(
            Parent, "i915-GVTg_V5_8", "GVTg_V5_8", null, "vfio-pci", 2, 0, "i915", null,
            new DescriptorFields(
                [new("device_api", "vfio-pci"), new("mdev_type", "i915-GVTg_V5_8"), new("software_version", "1.3.0"), new("aggregator", "1")],
                [[new("device_api", "vfio-pci"), new("mdev_type", "{t:string:\"i915-GVTg_V5_4\",\"i915-GVTg_V5_8\"}")]],
                ["aggregator"],
                DescriptorOrigin.Profile,
                "gvtg.profile"));
        return new HostInventory(HostInventory.CurrentSchemaVersion, "gpu-node-07", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), [device], [type], ImmutableArray<InventoryWarning>.Empty);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
