namespace MigCompat.Cli.Tests.Support;

/// <summary>Paths in the repository, found from the test binary's location.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Output with the repository root stripped, so golden files hold repo-relative paths.</summary>
    public static string Relative(string text) => text.Replace(Root + "/", string.Empty, StringComparison.Ordinal);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "MigCompat.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MigCompat.slnx not found above " + AppContext.BaseDirectory);
    }
}
