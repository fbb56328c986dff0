using System.CommandLine;

namespace MigCompat.Cli.Commands;

/// <summary>Options several commands share, so they are spelled and described the same everywhere.</summary>
internal static class CliOptions
{
    /// <summary>The human output format name, the default of every command.</summary>
    public const string Text = "text";

    /// <summary>The machine output format name.</summary>
    public const string Json = "json";

    /// <summary><c>--format</c>, the same on every command: <c>text</c> (the default: tables and sentences for people) or <c>json</c>.</summary>
    /// <returns>The option.</returns>
    public static Option<string> Format()
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: '{Text}' for people (default), '{Json}' for programs (JSON alone on stdout; messages stay on stderr).",
            HelpName = $"{Text}|{Json}",
            DefaultValueFactory = _ => Text,
        };
        option.AcceptOnlyFromAmong(Text, Json);
        return option;
    }

    /// <summary><c>--host</c>: the host name written into an inventory.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> Host() => new("--host")
    {
        Description = "The host name written into the inventory (default: this machine's name).",
        HelpName = "NAME",
    };

    /// <summary>The <c>--nvml</c> value that turns NVML off.</summary>
    public const string NvmlOff = "off";

    /// <summary><c>--nvml</c>: the NVML library NVIDIA vGPU state is read through, or <c>off</c>.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> Nvml() => new("--nvml")
    {
        Description = "The NVML library through which NVIDIA vGPU version ranges, ECC modes and the versions running vGPUs negotiated are read (default: libnvidia-ml.so.1, when NVIDIA vGPUs exist; read-only), or 'off'.",
        HelpName = "PATH|off",
    };

    /// <summary>The <see cref="Discovery.Sysfs.SysfsScanOptions.NvmlLibrary"/> an <c>--nvml</c> value means: null for <c>off</c>, the default when not given.</summary>
    /// <param name="value">The option's value, when given.</param>
    /// <returns>The library, or null.</returns>
    public static string? NvmlLibrary(string? value) =>
        value is null ? Discovery.Sysfs.SysfsScanOptions.DefaultNvmlLibrary : value == NvmlOff ? null : value;

    /// <summary><c>--profiles</c>: the operator's profile directory.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> Profiles() => new("--profiles")
    {
        Description = "Directory of *.profile files that supply descriptors by driver, version and type (default: /etc/migcompat/profiles.d when it exists).",
        HelpName = "DIR",
    };

    /// <summary><c>--rules</c>: the operator's rule pack directory.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> Rules() => new("--rules")
    {
        Description = "Directory of operator rule packs (*.rules), used with the shipped ones; a pack of the same name replaces the shipped one (default: /etc/migcompat/rules.d when it exists).",
        HelpName = "DIR",
    };

    /// <summary><c>--label KEY=VALUE</c>, repeated: the host's labels written into the inventory.</summary>
    /// <returns>The option.</returns>
    public static Option<string[]> Labels() => new("--label")
    {
        Description = "A label for this host, KEY=VALUE (rack=a); repeat for several. `plan upgrade --hosts label:KEY=VALUE` selects by it.",
        HelpName = "KEY=VALUE",
    };

    /// <summary>The labels of <c>--label</c> values; null after writing what is wrong to <paramref name="stderr"/>.</summary>
    /// <param name="command">The command, for the message.</param>
    /// <param name="values">The values.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The labels, or null.</returns>
    public static System.Collections.Immutable.ImmutableArray<KeyValuePair<string, string>>? ParseLabels(string command, string[]? values, TextWriter stderr)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            if (!Discovery.Inventory.HostLabels.TryParse(value, out var label, out var error))
            {
                stderr.WriteLine($"{command}: --label {error}");
                return null;
            }

            labels[label.Key] = label.Value;
        }

        return [.. labels.OrderBy(l => l.Key, StringComparer.Ordinal)];
    }
}
