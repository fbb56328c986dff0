using System.Runtime.CompilerServices;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>
/// Exact-text golden comparison. Golden files live in a <c>Golden</c> folder next to the test source
/// and are copied to the output directory; <c>MIGCOMPAT_UPDATE_GOLDEN=1</c> rewrites the source copy.
/// </summary>
internal static class GoldenFile
{
    public static void AssertMatches(string actual, string goldenName, [CallerFilePath] string callerFile = "")
    {
        var sourceDirectory = Path.GetDirectoryName(callerFile)!;
        var folder = Path.GetFileName(sourceDirectory);
        if (Environment.GetEnvironmentVariable("MIGCOMPAT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(sourceDirectory, "Golden", goldenName), actual);
            return;
        }

        var goldenPath = Path.Combine(AppContext.BaseDirectory, folder, "Golden", goldenName);
        Assert.True(File.Exists(goldenPath), $"Golden file {goldenPath} is missing; run the tests with MIGCOMPAT_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal(File.ReadAllText(goldenPath), actual);
    }
}
