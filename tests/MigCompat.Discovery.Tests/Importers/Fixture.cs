namespace MigCompat.Discovery.Tests.Importers;

internal static class Fixture
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Importers", "Fixtures", name));

    public static string Self(IEnumerable<KeyValuePair<string, string>> fields) => string.Join(" ", fields.Select(f => $"{f.Key}={f.Value}"));
}
