namespace MigCompat.Cli.Tests.Support;

/// <summary>
/// Compares human output with a file under tests/MigCompat.Cli.Tests/Golden, exactly. With
/// <c>MIGCOMPAT_UPDATE_GOLDEN=1</c> the file is rewritten instead (review the diff before committing).
/// </summary>
public static class Golden
{
    public static void Matches(string name, string actual)
    {
        var path = Repo.Path(System.IO.Path.Combine("tests", "MigCompat.Cli.Tests", "Golden", name));
        if (Environment.GetEnvironmentVariable("MIGCOMPAT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with MIGCOMPAT_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
