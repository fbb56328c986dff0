using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Syntax;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Files;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Profiles;

/// <summary>
/// Reads profile files: a <c>[match]</c> section of <c>key = value[, value...]</c> criteria, then a
/// <c>[descriptor]</c> section in the descriptor language. The format is specified in
/// <c>docs/discovery.md</c>. A bad file is reported and skipped; the others are still used.
/// </summary>
public static class ProfileLoader
{
    /// <summary>The file name suffix of profile files; other files in the directory (READMEs) are ignored.</summary>
    public const string FileSuffix = ".profile";

    /// <summary>
    /// Loads every <c>*.profile</c> file of a directory in ordinal file-name order. A null or missing
    /// directory yields no profiles and no warning.
    /// </summary>
    public static ProfileLoadResult LoadDirectory(string? directory)
    {
        var warnings = new List<InventoryWarning>();
        var profiles = ImmutableArray.CreateBuilder<DeviceProfile>();
        foreach (var (file, text) in OperatorFiles.Read(directory, FileSuffix, "profile", SysfsWarningCodes.ProfileUnreadable, warnings))
        {
            var result = Parse(text, file);
            profiles.AddRange(result.Profiles);
            warnings.AddRange(result.Warnings);
        }

        return new ProfileLoadResult(profiles.ToImmutable(), [.. warnings]);
    }

    /// <summary>Parses the text of one profile file; the result holds the profile, or none when the file has errors.</summary>
    public static ProfileLoadResult Parse(string text, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var warnings = ImmutableArray.CreateBuilder<InventoryWarning>();
        var lines = text.Split('\n');
        var matchLines = new List<(int Line, string Text)>();
        var section = string.Empty;
        var descriptorFirstLine = 0;
        var hasError = false;

        void Problem(int line, int column, string message, bool isError = true)
        {
            hasError |= isError;
            var severity = isError ? "error" : "warning";
            warnings.Add(new InventoryWarning(
                SysfsWarningCodes.ProfileInvalid,
                string.Create(CultureInfo.InvariantCulture, $"{filePath}:{line}:{column}"),
                isError ? $"{severity}: {message}; the profile is not used" : $"{severity}: {message}"));
        }

        for (var i = 0; i < lines.Length && descriptorFirstLine == 0; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var content = StripComment(line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            if (content == "[match]")
            {
                if (section.Length != 0)
                {
                    Problem(i + 1, Column(line), "a second [match] section; write one [match] then one [descriptor]");
                }

                section = "match";
            }
            else if (content == "[descriptor]")
            {
                if (section != "match")
                {
                    Problem(i + 1, Column(line), "[descriptor] before [match]; a profile starts with its [match] criteria");
                }

                descriptorFirstLine = i + 2;
            }
            else if (section == "match")
            {
                matchLines.Add((i + 1, line));
            }
            else
            {
                Problem(i + 1, Column(line), $"\"{ScanWarnings.Shorten(content)}\" outside a section; a profile starts with a [match] line");
            }
        }

        if (descriptorFirstLine == 0)
        {
            Problem(lines.Length, 1, "no [descriptor] section; after the [match] criteria write [descriptor] and the SELF:/COMPATIBLE: text");
            return new ProfileLoadResult([], warnings.ToImmutable());
        }

        var criteria = ReadCriteria(matchLines, Problem);
        if (criteria is { IsEmpty: true } && matchLines.Count == 0)
        {
            Problem(1, 1, "[match] has no criteria, so the profile would apply to every device; add driver, type, pci_id ... criteria");
        }

        var descriptorText = string.Join('\n', lines.Skip(descriptorFirstLine - 1));
        var parsed = DescriptorParser.Parse(descriptorText, filePath, descriptorFirstLine);
        foreach (var diagnostic in parsed.Diagnostics)
        {
            Problem(diagnostic.Line, diagnostic.Column, $"{diagnostic.Code}: {diagnostic.Message}", diagnostic.Severity == DiagnosticSeverity.Error);
        }

        if (hasError || criteria is null || parsed.Descriptor is null)
        {
            return new ProfileLoadResult([], warnings.ToImmutable());
        }

        return new ProfileLoadResult([new DeviceProfile(filePath, criteria, parsed.Descriptor)], warnings.ToImmutable());
    }

    internal static ProfileCriteria? ReadCriteria(List<(int Line, string Text)> lines, Action<int, int, string, bool> problem)
    {
        var values = new Dictionary<string, (int Line, int Column, ImmutableArray<string> Items)>(StringComparer.Ordinal);
        foreach (var (lineNumber, line) in lines)
        {
            var content = StripComment(line);
            var equals = content.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                problem(lineNumber, Column(line), "expected \"key = value\" in [match]", true);
                continue;
            }

            var key = content[..equals].Trim();
            var valueStart = equals + 1;
            while (valueStart < content.Length && char.IsWhiteSpace(content[valueStart]))
            {
                valueStart++;
            }

            if (!KnownKeys.Contains(key))
            {
                problem(lineNumber, Column(line), $"unknown criterion \"{key}\"; use one of {string.Join(", ", KnownKeys)} (an ignored criterion would make the profile match more devices than meant)", true);
                continue;
            }

            var items = content[valueStart..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
            if (items.IsEmpty)
            {
                problem(lineNumber, valueStart + 1, $"\"{key}\" has no value", true);
                continue;
            }

            if (!values.TryAdd(key, (lineNumber, valueStart + 1, items)))
            {
                problem(lineNumber, Column(line), $"\"{key}\" is given twice; list alternatives on one line, separated by commas", true);
            }
        }

        ImmutableArray<string> Get(string key) => values.TryGetValue(key, out var v) ? v.Items : [];

        var kinds = ImmutableArray.CreateBuilder<DeviceKind>();
        foreach (var kind in Get("kind"))
        {
            DeviceKind? parsed = kind switch { "mdev" => DeviceKind.Mdev, "pci" => DeviceKind.PciDevice, "vf" => DeviceKind.SriovVf, _ => null };
            if (parsed is null)
            {
                problem(values["kind"].Line, values["kind"].Column, $"kind \"{kind}\" is not one of mdev, pci, vf", true);
                return null;
            }

            kinds.Add(parsed.Value);
        }

        var bounds = ImmutableArray.CreateBuilder<VersionConstraint>();
        foreach (var bound in Get("driver_version"))
        {
            var constraint = VersionConstraint.TryParse(bound, out var error);
            if (constraint is null)
            {
                problem(values["driver_version"].Line, values["driver_version"].Column, error!, true);
                return null;
            }

            bounds.Add(constraint);
        }

        return new ProfileCriteria(
            kinds.ToImmutable(),
            Get("driver"),
            bounds.ToImmutable(),
            [.. Get("pci_id").Select(static s => s.ToLowerInvariant())],
            [.. Get("subsystem_id").Select(static s => s.ToLowerInvariant())],
            Get("type"),
            Get("type_name"),
            Get("device_api"));
    }

    private static readonly string[] KnownKeys = ["kind", "driver", "driver_version", "pci_id", "subsystem_id", "type", "type_name", "device_api"];

    internal static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    internal static int Column(string line)
    {
        var i = 0;
        while (i < line.Length && char.IsWhiteSpace(line[i]))
        {
            i++;
        }

        return i + 1;
    }
}
