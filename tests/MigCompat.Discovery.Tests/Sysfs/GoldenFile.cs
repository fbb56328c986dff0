using System.Runtime.CompilerServices;

namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>Exact-text golden files next to the tests; <c>MIGCOMPAT_UPDATE_GOLDEN=1</c> rewrites them.</summary>
public static class GoldenFile
{
    public static void AssertMatches(string actual, string relativePath, [CallerFilePath] string callerFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(callerFile)!, relativePath);
        if (Environment.GetEnvironmentVariable("MIGCOMPAT_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run with MIGCOMPAT_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
