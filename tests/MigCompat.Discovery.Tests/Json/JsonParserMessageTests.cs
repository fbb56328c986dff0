using MigCompat.Discovery.Importers;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>A malformed-JSON diagnostic carries a 1-based line and column; its message does not restate the parser's 0-based ones.</summary>
public sealed class JsonParserMessageTests
{
    [Theory]
    [InlineData("inventory", "{\"schema_version\": 1,}")]
    [InlineData("inventory", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("mdevctl types", "[{\"p\": [}]")]
    [InlineData("mdevctl list", "")]
    public void A_malformed_json_message_does_not_repeat_the_parsers_zero_based_position(string reader, string json)
    {
        var diagnostics = reader switch
        {
            "inventory" => InventoryJson.Read(json, "x.json").Diagnostics,
            "mdevctl types" => MdevctlTypesImporter.Import(json, "x.json").Diagnostics,
            _ => MdevctlListImporter.Import(json, "x.json").Diagnostics,
        };

        var error = Assert.Single(diagnostics);
        Assert.StartsWith("The ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 1 && error.Column >= 1, error.ToString());
    }
}
