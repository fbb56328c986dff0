using System.Diagnostics;

namespace MigCompat.Discovery.Tests.Nvidia;

/// <summary>
/// A fake <c>libnvidia-ml.so.1</c> (<c>fake-nvml/fake_nvml.c</c>) for one test: the C source is compiled once per
/// test run with <c>gcc -shared -fPIC</c>, and each instance copies the library into its own directory next to its
/// config (<c>fake-nvml.conf</c>, format in the C file), so tests running at once never share NVML state. Every
/// NVML call the scan makes is logged to <c>calls.log</c> there (<see cref="Calls"/>).
/// </summary>
public sealed class FakeNvml : IDisposable
{
    private static readonly Lazy<string?> Compiled = new(Compile);

    private FakeNvml(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The library to give the scan.</summary>
    public string LibraryPath => Path.Combine(Directory, "libnvidia-ml.so.1");

    /// <summary>The NVML functions called so far, in order.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            var log = Path.Combine(Directory, "calls.log");
            return File.Exists(log) ? File.ReadAllLines(log) : [];
        }
    }

    /// <summary>A fake NVML answering from <paramref name="config"/>; skips the test when gcc is not on this machine.</summary>
    public static FakeNvml Create(string config)
    {
        var library = Compiled.Value;
        Assert.SkipWhen(library is null, "gcc is not on this machine, so the fake NVML library cannot be built");
        var directory = Path.Combine(Path.GetTempPath(), "migcompat-nvml-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var fake = new FakeNvml(directory);
        File.Copy(library!, fake.LibraryPath);
        File.WriteAllText(Path.Combine(directory, "fake-nvml.conf"), config);
        return fake;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Compiles the fake once; null when gcc is missing. A compile error fails the tests with gcc's message.</summary>
    private static string? Compile()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Nvidia", "fake-nvml", "fake_nvml.c");
        var output = Path.Combine(Path.GetTempPath(), "migcompat-fake-nvml-" + Environment.ProcessId + ".so");
        ProcessStartInfo start = new("gcc", ["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", output, source])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process? gcc;
        try
        {
            gcc = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        if (gcc is null)
        {
            return null;
        }

        using (gcc)
        {
            var errors = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException("gcc could not build the fake NVML: " + errors);
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(output);
        return output;
    }
}
