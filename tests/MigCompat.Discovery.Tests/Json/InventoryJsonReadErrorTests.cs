using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

public sealed class InventoryJsonReadErrorTests
{
    private const string Device = """{"id": "d1", "kind": "mdev", "self": {"mdev_type": "t"}, "source": {"origin": "imported"}}""";
    private const string Type = """{"parent": "p", "type_id": "t", "available_instances": 1, "self": {}, "source": {"origin": "derived"}}""";

    public static TheoryData<string, string, string> InvalidInventories => new()
    {
        { "truncated JSON", """{"schema_version": 1, "host": "h", """, InventoryJsonCodes.MalformedJson },
        { "a trailing comma", """{"schema_version": 1,}""", InventoryJsonCodes.MalformedJson },
        { "an array at the root", "[]", InventoryJsonCodes.WrongType },
        { "a number as host", """{"schema_version": 1, "host": 7, "taken_at": "2025-03-01T12:00:00Z"}""", InventoryJsonCodes.WrongType },
        { "a missing host", """{"schema_version": 1, "taken_at": "2025-03-01T12:00:00Z"}""", InventoryJsonCodes.MissingProperty },
        { "an empty host", """{"schema_version": 1, "host": " ", "taken_at": "2025-03-01T12:00:00Z"}""", InventoryJsonCodes.InvalidValue },
        { "schema version 2", """{"schema_version": 2, "host": "h", "taken_at": "2025-03-01T12:00:00Z"}""", InventoryJsonCodes.UnsupportedSchemaVersion },
        { "a fractional schema version", """{"schema_version": 1.5, "host": "h", "taken_at": "2025-03-01T12:00:00Z"}""", InventoryJsonCodes.InvalidValue },
        { "a timestamp without offset", """{"schema_version": 1, "host": "h", "taken_at": "2025-03-01T12:00:00"}""", InventoryJsonCodes.InvalidValue },
        { "a timestamp that is not a date", """{"schema_version": 1, "host": "h", "taken_at": "yesterday"}""", InventoryJsonCodes.InvalidValue },
        { "an unknown device kind", Root($"\"devices\": [{Device.Replace("\"mdev\"", "\"gpu\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.UnknownEnumValue },
        { "an unknown origin", Root($"\"devices\": [{Device.Replace("\"imported\"", "\"guessed\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.UnknownEnumValue },
        { "a duplicate device id", Root($"\"devices\": [{Device}, {Device}]"), InventoryJsonCodes.DuplicateDeviceId },
        { "a negative available_instances", Root($"\"creatable_types\": [{Type.Replace("\"available_instances\": 1", "\"available_instances\": -1", StringComparison.Ordinal)}]"), InventoryJsonCodes.NegativeCapacity },
        { "a negative existing_instances", Root($"\"creatable_types\": [{Type.Replace("\"available_instances\": 1", "\"available_instances\": 1, \"existing_instances\": -3", StringComparison.Ordinal)}]"), InventoryJsonCodes.NegativeCapacity },
        { "a duplicate creatable type", Root($"\"creatable_types\": [{Type}, {Type}]"), InventoryJsonCodes.DuplicateCreatableType },
        { "a number as a self value", Root($"\"devices\": [{Device.Replace("\"mdev_type\": \"t\"", "\"aggregator\": 1", StringComparison.Ordinal)}]"), InventoryJsonCodes.WrongType },
        { "a repeated self field", Root($"\"devices\": [{Device.Replace("\"mdev_type\": \"t\"", "\"a\": \"1\", \"a\": \"2\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.DuplicateProperty },
        { "a compatible block that is a string", Root($"\"devices\": [{Device.Replace("\"self\"", "\"compatible\": [\"x\"], \"self\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.WrongType },
        { "a device without source", Root("\"devices\": [{\"id\": \"d\", \"kind\": \"pci\", \"self\": {}}]"), InventoryJsonCodes.MissingProperty },
        { "a device without self", Root("\"devices\": [{\"id\": \"d\", \"kind\": \"pci\", \"source\": {\"origin\": \"derived\"}}]"), InventoryJsonCodes.MissingProperty },
        { "a pci object without vendor", Root($"\"devices\": [{Device.Replace("\"self\"", "\"pci\": {\"device\": \"1\"}, \"self\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.MissingProperty },
        { "devices as an object", Root("\"devices\": {}"), InventoryJsonCodes.WrongType },
        { "in_use as a string", Root($"\"devices\": [{Device.Replace("\"self\"", "\"in_use\": \"yes\", \"self\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.WrongType },
        { "a negative iommu group", Root($"\"devices\": [{Device.Replace("\"self\"", "\"iommu_group\": -2, \"self\"", StringComparison.Ordinal)}]"), InventoryJsonCodes.InvalidValue },
        { "a duplicate root property", Root("\"host\": \"again\""), InventoryJsonCodes.DuplicateProperty },
        { "a warning without message", Root("\"warnings\": [{\"code\": \"X\", \"path\": \"p\"}]"), InventoryJsonCodes.MissingProperty },
        { "a guest without name", Root($"\"devices\": [{Device}], \"guests\": [{{\"devices\": [\"d1\"]}}]"), InventoryJsonCodes.MissingProperty },
        { "a guest without devices", Root("\"guests\": [{\"name\": \"vm\"}]"), InventoryJsonCodes.MissingProperty },
        { "a guest with a blank name", Root("\"guests\": [{\"name\": \" \", \"devices\": []}]"), InventoryJsonCodes.InvalidValue },
        { "a guest uuid that is not a UUID", Root("\"guests\": [{\"name\": \"vm\", \"uuid\": \"vm-1\", \"devices\": []}]"), InventoryJsonCodes.InvalidValue },
        { "a guest using a device not listed", Root("\"guests\": [{\"name\": \"vm\", \"devices\": [\"d9\"]}]"), InventoryJsonCodes.UnknownGuestDevice },
        { "two guests with one name", Root("\"guests\": [{\"name\": \"vm\", \"devices\": []}, {\"name\": \"vm\", \"devices\": []}]"), InventoryJsonCodes.DuplicateGuest },
        { "two guests with one uuid", Root("\"guests\": [{\"name\": \"a\", \"uuid\": \"6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c\", \"devices\": []}, {\"name\": \"b\", \"uuid\": \"6E0E2F1C-1111-4C5E-9A3B-0D1F2E3A4B5C\", \"devices\": []}]"), InventoryJsonCodes.DuplicateGuest },
        { "a device used by two guests", Root($"\"devices\": [{Device}], \"guests\": [{{\"name\": \"a\", \"devices\": [\"d1\"]}}, {{\"name\": \"b\", \"devices\": [\"d1\"]}}]"), InventoryJsonCodes.DeviceInTwoGuests },
        { "a null guest device", Root("\"guests\": [{\"name\": \"vm\", \"devices\": [null]}]"), InventoryJsonCodes.WrongType },
        { "a label key with a space", Root("\"labels\": {\"rack a\": \"1\"}"), InventoryJsonCodes.InvalidValue },
        { "a label without value", Root("\"labels\": {\"rack\": null}"), InventoryJsonCodes.WrongType },
        { "a number as a label value", Root("\"labels\": {\"rack\": 1}"), InventoryJsonCodes.WrongType },
        { "a repeated label", Root("\"labels\": {\"rack\": \"a\", \"rack\": \"b\"}"), InventoryJsonCodes.DuplicateProperty },
        { "nesting deeper than allowed", Root("\"extra\": " + new string('[', 40) + new string(']', 40)), InventoryJsonCodes.MalformedJson },
    };

    [Theory]
    [MemberData(nameof(InvalidInventories))]
    public void An_invalid_inventory_is_refused_with_a_stable_code(string problem, string json, string expectedCode)
    {
        var result = InventoryJson.Read(json, "bad.json");

        Assert.Null(result.Inventory);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.True(expectedCode == error.Code, $"{problem}: expected {expectedCode}, got {error}");
        Assert.Equal("bad.json", error.File);
        Assert.True(error.Line > 0 && error.Column > 0, $"{problem}: no location in {error}");
    }

    [Fact]
    public void Malformed_json_is_located_at_the_offending_line_and_column()
    {
        const string json = "{\n  \"schema_version\": 1,\n  \"host\": \"h\" \"taken_at\": \"x\"\n}";

        var error = Assert.Single(InventoryJson.Read(json, "f.json").Diagnostics);

        Assert.Equal(InventoryJsonCodes.MalformedJson, error.Code);
        Assert.Equal(3, error.Line);
        Assert.Equal(15, error.Column);
    }

    [Fact]
    public void A_wrong_value_is_located_by_json_path_and_line()
    {
        var json = Root($"\n\"devices\": [\n{Device},\n{Device.Replace("\"mdev\"", "\"gpu\"", StringComparison.Ordinal)}]");

        var error = Assert.Single(InventoryJson.Read(json).Diagnostics);

        Assert.StartsWith("$.devices[1].kind: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Line);
        Assert.Equal(22, error.Column);
    }

    public static TheoryData<string, string> WrongValues => new()
    {
        { """{"schema_version": 1, "host": 7, "taken_at": "2025-03-01T12:00:00Z"}""", "$.host: Expected a string, found a number." },
        { """{"schema_version": 1.5, "host": "h", "taken_at": "2025-03-01T12:00:00Z"}""", "$.schema_version: 1.5 is not a whole number" },
        { """{"schema_version": 1, "host": "h", "taken_at": "yesterday"}""", "$.taken_at: \"yesterday\" is not an ISO 8601 timestamp with an offset" },
        { Root($"\"devices\": [{Device.Replace("\"self\"", "\"compatible\": [\"x\"], \"self\"", StringComparison.Ordinal)}]"), "$.devices[0].compatible[0]: Expected an object of string values" },
        { Root($"\"devices\": [{Device.Replace("\"mdev_type\": \"t\"", "\"aggregator\": 1", StringComparison.Ordinal)}]"), "$.devices[0].self.aggregator: Expected a string, found a number." },
        { Root($"\"devices\": [{Device.Replace("\"self\"", "\"in_use\": \"yes\", \"self\"", StringComparison.Ordinal)}]"), "$.devices[0].in_use: Expected true or false, found a string." },
        { Root("\"devices\": [null]"), "$.devices[0]: Expected an object, found null." },
        { Root("\"rack\": 1, \"rack\": 2"), "$.rack: \"rack\" appears twice" },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void A_refusal_names_the_json_path_and_what_was_expected_in_json_terms(string json, string messageStart)
    {
        var error = Assert.Single(InventoryJson.Read(json).Diagnostics);

        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_at_the_string()
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes("{\"schema_version\": 1, \"host\": \"ab\", \"taken_at\": \"2025-03-01T12:00:00Z\"}");
        utf8[31] = 0xFF;

        var result = InventoryJson.Read(utf8, "bad.json");

        Assert.Null(result.Inventory);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((InventoryJsonCodes.InvalidValue, 1, 31), (error.Code, error.Line, error.Column));
    }

    [Fact]
    public void Every_error_in_a_document_is_reported_not_just_the_first()
    {
        var json = Root($"\"devices\": [{Device.Replace("\"mdev\"", "\"gpu\"", StringComparison.Ordinal)}], \"creatable_types\": [{Type.Replace("1,", "-1,", StringComparison.Ordinal)}]");

        var codes = InventoryJson.Read(json).Diagnostics.Select(d => d.Code);

        Assert.Equal([InventoryJsonCodes.UnknownEnumValue, InventoryJsonCodes.NegativeCapacity], codes);
    }

    [Fact]
    public void An_unknown_property_is_a_warning_and_the_inventory_is_still_read()
    {
        var result = InventoryJson.Read(Root("\"rack\": \"r12\""));

        Assert.NotNull(result.Inventory);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(InventoryJsonCodes.UnknownProperty, warning.Code);
        Assert.Contains("$.rack", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_over_16_MiB_is_refused_before_parsing()
    {
        var json = Root("\"pad\": \"" + new string('x', InventoryJson.MaxInputBytes) + "\"");

        var error = Assert.Single(InventoryJson.Read(json, "huge.json").Diagnostics);

        Assert.Equal(InventoryJsonCodes.InputTooLarge, error.Code);
    }

    [Fact]
    public void Non_ascii_text_counts_in_utf8_bytes_toward_the_size_limit()
    {
        // 6 MiB of three-byte characters: fewer chars than the limit, more bytes.
        var json = Root("\"pad\": \"" + new string('€', 6 * 1024 * 1024) + "\"");

        Assert.Equal(InventoryJsonCodes.InputTooLarge, Assert.Single(InventoryJson.Read(json).Diagnostics).Code);
    }

    [Fact]
    public void Missing_optional_arrays_read_as_empty()
    {
        var inventory = InventoryJson.Read("""{"schema_version": 1, "host": "h", "taken_at": "2025-03-01T12:00:00+01:00"}""").Inventory;

        Assert.NotNull(inventory);
        Assert.Empty(inventory.Devices);
        Assert.Empty(inventory.CreatableTypes);
        Assert.Empty(inventory.Warnings);
        Assert.Equal(TimeSpan.FromHours(1), inventory.TakenAt.Offset);
    }

    private static string Root(string extra) =>
        "{\"schema_version\": 1, \"host\": \"h\", \"taken_at\": \"2025-03-01T12:00:00Z\", " + extra + "}";
}
