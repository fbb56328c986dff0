using System.Text.Json;
using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    private const string MdevctlTypes = """
        [
          {
            "0000:00:02.0": [
              { "i915-GVTg_V5_4": { "available_instances": 2, "device_api": "vfio-pci", "name": "GVTg_V5_4" } },
              { "i915-GVTg_V5_8": { "available_instances": 0, "device_api": "vfio-pci", "name": "GVTg_V5_8" } }
            ]
          }
        ]
        """;

    private const string MdevctlList = """
        [
          {
            "0000:00:02.0": [
              { "d069d019-36ea-4111-8f0a-8c9a70e21366": { "mdev_type": "i915-GVTg_V5_4", "start": "auto" } }
            ]
          }
        ]
        """;

    private const string NodeDevice = """
        <device>
          <name>pci_0000_00_02_0</name>
          <parent>computer</parent>
          <driver><name>i915</name></driver>
          <capability type='pci'>
            <domain>0</domain><bus>0</bus><slot>2</slot><function>0</function>
            <product id='0x5912'>HD Graphics 630</product>
            <vendor id='0x8086'>Intel Corporation</vendor>
            <capability type='mdev_types'>
              <type id='i915-GVTg_V5_4'>
                <name>GVTg_V5_4</name>
                <deviceAPI>vfio-pci</deviceAPI>
                <availableInstances>1</availableInstances>
              </type>
            </capability>
          </capability>
        </device>
        """;

    private const string Domain = """
        <domain type='kvm'>
          <name>vm-render-07</name>
          <devices>
            <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
              <source><address uuid='D069D019-36EA-4111-8F0A-8C9A70E21366'/></source>
            </hostdev>
            <hostdev mode='subsystem' type='pci' managed='yes'>
              <source><address domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/></source>
            </hostdev>
          </devices>
        </domain>
        """;

    private readonly Workspace workspace = new();

    public ImportCommandTests()
    {
        workspace.Write("types.json", MdevctlTypes);
        workspace.Write("mdevs.json", MdevctlList);
        workspace.Write("gpu.xml", NodeDevice);
        workspace.Write("vm.xml", Domain);
        workspace.Write("not-json.json", "<xml/>");
        workspace.Write("not-xml.xml", "{ }");
    }

    public void Dispose() => workspace.Dispose();

    [Theory]
    [InlineData("mdevctl-types", "types.json", 0)]
    [InlineData("mdevctl-list", "mdevs.json", 0)]
    [InlineData("nodedev-xml", "gpu.xml", 0)]
    [InlineData("domain-xml", "vm.xml", 0)]
    [InlineData("mdevctl-types", "not-json.json", 2)]
    [InlineData("mdevctl-list", "missing.json", 2)]
    [InlineData("nodedev-xml", "not-xml.xml", 2)]
    [InlineData("domain-xml", "gpu.xml", 2)]
    public async Task Import_exits_0_for_the_tools_output_and_2_for_anything_else(string format, string file, int expected)
    {
        var result = format == "domain-xml"
            ? await CliRunner.RunAsync("import", format, workspace.Path(file))
            : await CliRunner.RunAsync("import", format, workspace.Path(file), "--host", "gpu-node-07");

        Assert.Equal(expected, result.ExitCode);
        Assert.Contains("migcompat import: 1 input; ", result.Stderr, StringComparison.Ordinal);
        if (expected == 2)
        {
            Assert.Equal(string.Empty, result.Stdout);
            Assert.Matches(@"(?m)^\S+:\d+:\d+: error MC[A-Z]+\d+: ", result.Stderr);
        }
    }

    [Fact]
    public async Task Import_of_mdevctl_types_prints_the_creatable_types_table()
    {
        var result = await CliRunner.RunAsync("import", "mdevctl-types", workspace.Path("types.json"), "--host", "gpu-node-07");

        Assert.Equal(0, result.ExitCode);
        Golden.Matches("import-mdevctl-types.txt", result.Stdout);
    }

    [Fact]
    public async Task Import_of_several_files_merges_them_into_one_inventory_json()
    {
        var result = await CliRunner.RunAsync("import", "nodedev-xml", workspace.Path("gpu.xml"), workspace.Path("gpu.xml"), "--host", "gpu-node-07", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("gpu-node-07", json.RootElement.GetProperty("host").GetString());
        var type = Assert.Single(json.RootElement.GetProperty("creatable_types").EnumerateArray());
        Assert.Equal("i915-GVTg_V5_4", type.GetProperty("type_id").GetString());
        Assert.Contains("warning MCC007", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mdevctl-types", "types.json", "mdevctl-list", "mdevs.json")]
    [InlineData("mdevctl-list", "mdevs.json", "mdevctl-types", "types.json")]
    [InlineData("mdevctl-list", "mdevs.json", "nodedev-xml", "gpu.xml")]
    public async Task Exports_of_several_tools_make_one_inventory_whose_mdevs_take_their_types_device_api(string firstFormat, string firstFile, string secondFormat, string secondFile)
    {
        var result = await CliRunner.RunAsync("import", firstFormat, workspace.Path(firstFile), secondFormat, workspace.Path(secondFile), "--host", "gpu-node-07", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("migcompat import: 2 inputs; ", result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Stdout);
        var device = Assert.Single(json.RootElement.GetProperty("devices").EnumerateArray());
        Assert.Equal("vfio-pci", device.GetProperty("device_api").GetString());
        var self = device.GetProperty("self");
        Assert.Equal(["device_api", "mdev_type"], self.EnumerateObject().Select(f => f.Name).Take(2));
        Assert.NotEmpty(json.RootElement.GetProperty("creatable_types").EnumerateArray());
    }

    [Theory]
    [InlineData("mdevctl-list")]
    [InlineData("mdevctl-types", "mdevctl-list")]
    public async Task A_format_name_without_a_file_after_it_is_bad_usage(params string[] trailing)
    {
        var arguments = new List<string> { "import", "mdevctl-types", workspace.Path("types.json") };
        arguments.AddRange(trailing);

        var result = await CliRunner.RunAsync([.. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("is followed by no file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_mdevctl_list_as_json_has_the_mdev_device()
    {
        var result = await CliRunner.RunAsync("import", "mdevctl-list", workspace.Path("mdevs.json"), "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var device = Assert.Single(json.RootElement.GetProperty("devices").EnumerateArray());
        Assert.Equal("d069d019-36ea-4111-8f0a-8c9a70e21366", device.GetProperty("id").GetString());
        Assert.Equal("mdev", device.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Domain_xml_lists_the_assigned_devices()
    {
        var table = await CliRunner.RunAsync("import", "domain-xml", workspace.Path("vm.xml"));
        var json = await CliRunner.RunAsync("import", "domain-xml", workspace.Path("vm.xml"), "--format", "json");

        Assert.Equal(0, table.ExitCode);
        Assert.Equal("DOMAIN        KIND  ID\nvm-render-07  mdev  d069d019-36ea-4111-8f0a-8c9a70e21366\nvm-render-07  pci   0000:3b:02.1\n", table.Stdout);
        using var document = JsonDocument.Parse(json.Stdout);
        var domain = Assert.Single(document.RootElement.GetProperty("domains").EnumerateArray());
        Assert.Equal("vm-render-07", domain.GetProperty("name").GetString());
        Assert.Equal(["d069d019-36ea-4111-8f0a-8c9a70e21366"], domain.GetProperty("mdev_uuids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["0000:3b:02.1"], domain.GetProperty("pci_addresses").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Domain_xml_with_an_inventory_marks_its_devices_in_use_and_warns_about_unknown_ones()
    {
        var result = await CliRunner.RunAsync("import", "domain-xml", workspace.Path("vm.xml"), "--inventory", workspace.Path("inventory.json"), "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var device = Assert.Single(json.RootElement.GetProperty("devices").EnumerateArray());
        Assert.True(device.GetProperty("in_use").GetBoolean());
        Assert.Contains("warning MCC008: domain vm-render-07 uses 0000:3b:02.1", result.Stderr, StringComparison.Ordinal);
        var guest = Assert.Single(json.RootElement.GetProperty("guests").EnumerateArray());
        Assert.Equal("vm-render-07", guest.GetProperty("name").GetString());
        Assert.False(guest.TryGetProperty("uuid", out _));
        Assert.Equal([device.GetProperty("id").GetString()], guest.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Domain_xml_with_an_inventory_lists_the_domain_as_a_vm_in_the_table()
    {
        workspace.Write("vm2.xml", Domain.Replace("<name>vm-render-07</name>", "<name>vm-render-08</name><uuid>3F1C3A52-4B0E-4F6B-9A0C-3D4E5F607182</uuid>", StringComparison.Ordinal));

        var result = await CliRunner.RunAsync("import", "domain-xml", workspace.Path("vm.xml"), workspace.Path("vm2.xml"), "--inventory", workspace.Path("inventory.json"));

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith(
            """

            VMs:
              VM            UUID                                  DEVICES
              vm-render-07  -                                     (none known)
              vm-render-08  3f1c3a52-4b0e-4f6b-9a0c-3d4e5f607182  d069d019-36ea-4111-8f0a-8c9a70e21366

            """,
            result.Stdout,
            StringComparison.Ordinal);
    }
}
