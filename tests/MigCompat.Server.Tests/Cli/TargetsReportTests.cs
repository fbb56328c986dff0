using System.Text.Json;
using MigCompat.Cli.Fleet;

namespace MigCompat.Server.Tests.Cli;

public sealed class TargetsReportTests
{
    private const string Live = """{"deviceIndex":0,"sourceDeviceId":"vm-0","resourceKey":"type:p/nvidia-63","level":"live","dynamicResources":[],"bindings":[],"reasons":[]}""";
    private const string MinorCold = """{"deviceIndex":1,"sourceDeviceId":"vm-1","resourceKey":"device:d1","level":"cold","dynamicResources":[],"bindings":[],"reasons":[{"code":"VERSION_MINOR_TOO_LOW","field":"software_version","message":"..."}]}""";
    private const string MinorCold2 = """{"deviceIndex":2,"sourceDeviceId":"vm-2","resourceKey":"device:d2","level":"cold","dynamicResources":[],"bindings":[],"reasons":[{"code":"VERSION_MINOR_TOO_LOW","field":"software_version","message":"..."}]}""";
    private const string TwoReasons = """{"deviceIndex":0,"sourceDeviceId":null,"resourceKey":"device:d0","level":"cold","dynamicResources":[],"bindings":[],"reasons":[{"code":"VERSION_MAJOR_DIFFERS","field":"software_version","message":"..."},{"code":"VALUE_MISMATCH","field":"pv_mode","message":"..."}]}""";

    [Theory]
    [InlineData("every device live", "live", Live, "-")]
    [InlineData("one cold device", "cold", Live + "," + MinorCold, "VERSION_MINOR_TOO_LOW software_version (#1)")]
    [InlineData("two cold devices for the same reason", "cold", Live + "," + MinorCold + "," + MinorCold2, "VERSION_MINOR_TOO_LOW software_version (#1 #2)")]
    [InlineData("one cold device with two failed rules", "cold", TwoReasons, "VERSION_MAJOR_DIFFERS software_version + VALUE_MISMATCH pv_mode (#0)")]
    public void The_table_shows_why_a_candidate_is_cold_instead_of_its_score(string what, string level, string assignments, string why)
    {
        var answer = JsonSerializer.Deserialize<JsonElement>($$"""{"candidates":[{"host":"gpu-07","level":"{{level}}","score":4294967299,"assignments":[{{assignments}}]}],"rejected":[],"hostsConsidered":3}""");
        using var output = new StringWriter();

        TargetsReport.Write(answer, output);

        var lines = output.ToString().Split('\n');
        Assert.StartsWith("RANK  HOST    LEVEL  WHY", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("SCORE", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("4294967299", output.ToString(), StringComparison.Ordinal);
        Assert.True(lines[1].Contains($"  {why}  ", StringComparison.Ordinal), $"{what}: {lines[1]}");
    }

    private const string RulePack = """{"kind":"rule-pack","detail":"nvidia-vgpu 1"}""";
    private const string NoEvidence = """{"kind":"none","detail":"nothing states which device states the target accepts"}""";

    public static TheoryData<string, string, string> EvidenceCases => new()
    {
        { "one device vouched for by a rule pack", Assignment(0, "live", RulePack), "rule-pack nvidia-vgpu 1 (#0)" },
        { "two devices with the same evidence", Assignment(0, "live", RulePack) + "," + Assignment(1, "live", RulePack), "rule-pack nvidia-vgpu 1 (#0 #1)" },
        { "a device nothing vouches for", Assignment(0, "live", RulePack) + "," + Assignment(1, "cold", NoEvidence), "rule-pack nvidia-vgpu 1 (#0), none (#1)" },
    };

    [Theory]
    [MemberData(nameof(EvidenceCases))]
    public void The_table_shows_what_vouches_for_each_devices_verdict(string what, string assignments, string evidence)
    {
        var answer = JsonSerializer.Deserialize<JsonElement>($$"""{"candidates":[{"host":"gpu-07","level":"live","assignments":[{{assignments}}]}],"rejected":[],"hostsConsidered":3}""");
        using var output = new StringWriter();

        TargetsReport.Write(answer, output);

        var lines = output.ToString().Split('\n');
        Assert.Contains("  EVIDENCE  ", lines[0], StringComparison.Ordinal);
        Assert.True(lines[1].Contains($"  {evidence}  ", StringComparison.Ordinal), $"{what}: {lines[1]}");
    }

    private static string Assignment(int index, string level, string evidence) =>
        $$"""{"deviceIndex":{{index}},"resourceKey":"device:d{{index}}","level":"{{level}}","reasons":[],"evidence":{{evidence}}}""";
}
