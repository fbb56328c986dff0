using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>A JSON escape of a lone UTF-16 surrogate is well-formed JSON but not text: a located error, never an exception.</summary>
public sealed class LoneSurrogateTests
{
    private const string Root = "{\"schema_version\": 1, \"host\": \"h\", \"taken_at\": \"2025-03-01T12:00:00Z\"";
    private const string Device = "{\"id\": \"d1\", \"kind\": \"mdev\", \"self\": {\"mdev_type\": \"t\"}, \"source\": {\"origin\": \"imported\"}}";

    /// <summary>(where, the document, line, column of the string's opening quote).</summary>
    public static TheoryData<string, string, int, int> Inventories => new()
    {
        { "the host name", "{\"schema_version\": 1, \"host\": \"h\\ud800\", \"taken_at\": \"2025-03-01T12:00:00Z\"}", 1, 31 },
        { "a low surrogate first", "{\"schema_version\": 1,\n\"host\": \"\\udc00x\", \"taken_at\": \"2025-03-01T12:00:00Z\"}", 2, 9 },
        { "a self value", Root + ",\n\"devices\": [" + Device.Replace("\"t\"", "\"t\\uD83D\"", StringComparison.Ordinal) + "]}", 2, 64 },
        { "a self field name", Root + ",\n\"devices\": [" + Device.Replace("\"mdev_type\"", "\"a\\ud800b\"", StringComparison.Ordinal) + "]}", 2, 51 },
        { "an unknown property's name", Root + ", \"\\ud800\": 1}", 1, 72 },
        { "a warning message", Root + ", \"warnings\": [{\"code\": \"X\", \"path\": \"p\", \"message\": \"\\ud800\"}]}", 1, 123 },
    };

    [Theory]
    [MemberData(nameof(Inventories))]
    public void An_inventory_with_a_lone_surrogate_escape_is_refused_at_the_string(string where, string json, int line, int column)
    {
        var result = InventoryJson.Read(json, "bad.json");

        Assert.Null(result.Inventory);
        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.Code == InventoryJsonCodes.InvalidValue, $"{where}: {error}");
        Assert.Equal(("bad.json", line, column), (error.File, error.Line, error.Column));
        Assert.Contains("lone UTF-16 surrogate", error.Message, StringComparison.Ordinal);

        var fromBytes = InventoryJson.Read(System.Text.Encoding.UTF8.GetBytes(json), "bad.json");
        Assert.Equal(result.Diagnostics, fromBytes.Diagnostics);
    }

    [Theory]
    [InlineData("mdevctl types", "[{\"0000:00:02.0\": [{\"t\": {\"available_instances\": 1, \"name\": \"n\\ud800\"}}]}]", 1, 61)]
    [InlineData("mdevctl types", "[{\"0000:00:02.0\": [{\"t\\ud800\": {\"available_instances\": 1}}]}]", 1, 21)]
    [InlineData("mdevctl list", "[{\"0000:00:02.0\": [{\"d069d019-36ea-4111-8f0a-8c9a70e21366\": {\"mdev_type\": \"t\",\n \"attrs\": [{\"a\": \"\\udfff\"}]}}]}]", 2, 18)]
    public void An_mdevctl_export_with_a_lone_surrogate_escape_is_refused_at_the_string(string tool, string json, int line, int column)
    {
        var result = tool == "mdevctl types" ? MdevctlTypesImporter.Import(json, "x.json") : MdevctlListImporter.Import(json, "x.json");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((ImportCodes.Malformed, line, column), (error.Code, error.Line, error.Column));
        Assert.Contains("lone UTF-16 surrogate", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Devices);
        Assert.Empty(result.CreatableTypes);
    }
}
