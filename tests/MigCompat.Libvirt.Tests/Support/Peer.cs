using System.Diagnostics;

namespace MigCompat.Libvirt.Tests.Support;

/// <summary>
/// The domain XMLs the tests feed the hook — this project's own fixtures (<c>Domains/</c>) and, when the workspace
/// has them, libvirt's own test inputs (shared/realworld/peers/libvirt, read in place, never copied; without them
/// the tests that need one skip) — and Debian's <c>virt-xml-validate</c> (libvirt-clients), which skips a test on a
/// developer machine when missing and fails it in CI (<c>MIGCOMPAT_CI=1</c>, set by .ci/run).
/// </summary>
public static class Peer
{
    private static readonly bool InCi = Environment.GetEnvironmentVariable("MIGCOMPAT_CI") == "1";

    /// <summary>True when <see cref="Domain"/> can read the domain XML <paramref name="name"/> here.</summary>
    public static bool HasDomain(string name) =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "Domains", name)) || (FindDomainDirectory() is { } directory && File.Exists(Path.Combine(directory, name)));

    /// <summary>The text of a domain XML: this project's fixture of that name, else libvirt's (the test skips when the workspace lacks them).</summary>
    public static string Domain(string name)
    {
        var own = Path.Combine(AppContext.BaseDirectory, "Domains", name);
        if (File.Exists(own))
        {
            return File.ReadAllText(own);
        }

        var directory = FindDomainDirectory();
        Assert.SkipWhen(directory is null, $"libvirt's domain XML {name} (shared/realworld/peers/libvirt/domain) is not in this workspace; set MIGCOMPAT_REALWORLD_DIR to run it");
        return File.ReadAllText(Path.Combine(directory!, name));
    }

    /// <summary>Validates <paramref name="xml"/> with <c>virt-xml-validate FILE domain</c>: exit code and output.</summary>
    public static (int ExitCode, string Output) Validate(string xml)
    {
        var tool = FindOnPath("virt-xml-validate");
        Require(tool is not null && FindOnPath("xmllint") is not null, "virt-xml-validate (Debian libvirt-clients, with xmllint from libxml2-utils) is not installed");
        var file = Path.Combine(Path.GetTempPath(), $"migcompat-domain-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, xml);
        try
        {
            var start = new ProcessStartInfo(tool!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(file);
            start.ArgumentList.Add("domain");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Asserts that <c>virt-xml-validate</c> accepts <paramref name="xml"/>.</summary>
    public static void AssertValid(string xml, string what)
    {
        var (exitCode, output) = Validate(xml);
        Assert.True(exitCode == 0, $"virt-xml-validate refused {what} (exit {exitCode}): {output}\n{xml}");
    }

    private static void Require(bool present, string message)
    {
        if (!present && InCi)
        {
            Assert.Fail(message + " (in CI this is a failure: .ci/run installs it)");
        }

        Assert.SkipUnless(present, message);
    }

    private static string? FindDomainDirectory()
    {
        var named = Environment.GetEnvironmentVariable("MIGCOMPAT_REALWORLD_DIR");
        if (!string.IsNullOrEmpty(named))
        {
            var inside = Path.Combine(named, "peers", "libvirt", "domain");
            return Directory.Exists(inside) ? inside : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "realworld", "peers", "libvirt", "domain");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
