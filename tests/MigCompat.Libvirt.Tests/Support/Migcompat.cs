using System.Diagnostics;
using System.Text;

namespace MigCompat.Libvirt.Tests.Support;

/// <summary>What one run of the built binary produced.</summary>
public sealed record Run(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built <c>migcompat</c> (next to the tests) as a separate process, the way libvirt runs a hook.</summary>
public static class Migcompat
{
    public static async Task<Run> RunAsync(IEnumerable<string> args, string? stdin, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "migcompat.dll");
        Assert.True(File.Exists(dll), $"{dll} not found next to the tests");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // libvirt runs hooks with a clean environment; so do these tests, but for what they set.
        start.Environment.Remove("MIGCOMPAT_HOOK_INVENTORY");
        start.Environment.Remove("MIGCOMPAT_HOOK_HOST");
        start.Environment.Remove("MIGCOMPAT_SERVER");
        start.Environment.Remove("MIGCOMPAT_TOKEN");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var cancellation = TestContext.Current.CancellationToken;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellation);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The hook may stop reading (an oversized input) and exit: libvirt sees the same broken pipe.
        }

        await process.WaitForExitAsync(cancellation);
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
