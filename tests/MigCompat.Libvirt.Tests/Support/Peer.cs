using System.Diagnostics;

namespace MigCompat.Libvirt.Tests.Support;

/// <summary>
/// The real things the libvirt integration is tested against: libvirt's own domain XMLs (the workspace's
/// shared/realworld/peers/libvirt, read in place) and Debian's <c>virt-xml-validate</c> (libvirt-clients). Missing
/// ones skip a test on a developer machine and fail it in CI (<c>MIGCOMPAT_CI=1</c>, set by .ci/run).
/// </summary>
public static class Peer
{
    private static readonly bool InCi = Environment.GetEnvironmentVariable("MIGCOMPAT_CI") == "1";

    /// <summary>The directory of libvirt's domain XMLs (peers/libvirt/domain).</summary>
    public static string DomainDirectory
    {
        get
        {
            var directory = FindDomainDirectory();
            Require(directory is not null, "libvirt's domain XMLs (shared/realworld/peers/libvirt/domain) are not in this workspace; set MIGCOMPAT_REALWORLD_DIR");
            return directory!;
        }
    }

    /// <summary>The text of one of libvirt's domain XMLs.</summary>
    public static string Domain(string name) => File.ReadAllText(Path.Combine(DomainDirectory, name));

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
