using System.Globalization;
using System.Text.Json;

namespace MigCompat.Discovery.Json;

/// <summary>Builds the JSON paths used in diagnostics: <c>$</c>, <c>$.name</c>, <c>$["odd name"]</c>, <c>$[3]</c>.</summary>
public static class JsonPath
{
    /// <summary>The document root.</summary>
    public const string Root = "$";

    /// <summary>The path of a property of the object at <paramref name="parent"/>: <c>parent.name</c>, or <c>parent["name"]</c> for a name that is not letters, digits, <c>_</c> and <c>-</c>.</summary>
    public static string Property(string parent, string name) =>
        IsPlain(name) ? parent + "." + name : parent + "[" + JsonSerializer.Serialize(name) + "]";

    /// <summary>The path of an element of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) =>
        parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static bool IsPlain(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-');
}
