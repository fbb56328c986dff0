using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using MigCompat.Discovery.Diagnostics;
using MigCompat.Discovery.Files;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Profiles;

namespace MigCompat.Discovery.RulePacks;

/// <summary>The rule packs that loaded (shipped ones, replaced by operator packs of the same name) and what was wrong with the rest.</summary>
/// <param name="Packs">The usable packs, in name order.</param>
/// <param name="Warnings">Problems, located as <c>FILE:LINE:COLUMN</c> (codes <c>MCS023</c>, <c>MCS024</c>).</param>
public sealed record RulePackLoadResult(ImmutableArray<RulePack> Packs, ImmutableArray<InventoryWarning> Warnings)
{
    /// <summary>Equal when every member is equal, the arrays item by item.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(RulePackLoadResult? other) =>
        other is not null
        && ArrayEquality.Equal(Packs, other.Packs)
        && ArrayEquality.Equal(Warnings, other.Warnings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ArrayEquality.Hash(Packs), ArrayEquality.Hash(Warnings));
}

/// <summary>
/// Reads rule pack files: a <c>[pack]</c> header (<c>name</c>, <c>version</c>, <c>driver</c>,
/// <c>migrates</c>, one or more <c>source</c>), then rules, each an optional <c>[match]</c> section
/// (a profile's criteria) and a <c>[descriptor]</c> section in the descriptor language that runs to
/// the next <c>[match]</c> or <c>[descriptor]</c> line. docs/rules.md specifies it.
/// </summary>
public static class RulePackLoader
{
    /// <summary>The file name suffix of rule packs.</summary>
    public const string FileSuffix = ".rules";

    /// <summary>Where operator packs live unless told otherwise.</summary>
    public const string DefaultDirectory = "/etc/migcompat/rules.d";

    private const string ShippedPrefix = "shipped:";

    private static readonly Lazy<RulePackLoadResult> Shipped = new(LoadShippedCore);

    private static readonly string[] HeaderKeys = ["name", "version", "driver", "migrates", "source"];

    /// <summary>The packs shipped inside MigCompat (embedded), in name order.</summary>
    public static RulePackLoadResult LoadShipped() => Shipped.Value;

    /// <summary>
    /// The shipped packs plus the operator's <c>*.rules</c> files in <paramref name="directory"/>; an
    /// operator pack replaces a shipped pack of the same name. A null or missing directory adds none.
    /// </summary>
    /// <param name="directory">The operator's rules directory.</param>
    /// <param name="withShipped">False to leave the shipped packs out.</param>
    /// <returns>The packs.</returns>
    public static RulePackLoadResult Load(string? directory, bool withShipped = true)
    {
        var shipped = withShipped ? LoadShipped() : new RulePackLoadResult([], []);
        var own = LoadDirectory(directory);
        return new RulePackLoadResult(Override(shipped.Packs, own.Packs), shipped.Warnings.AddRange(own.Warnings));
    }

    /// <summary>The packs of <paramref name="packs"/> with each of <paramref name="own"/> replacing the one of the same name (or added), in name order.</summary>
    /// <param name="packs">The packs in use (the shipped ones).</param>
    /// <param name="own">The operator's packs.</param>
    /// <returns>The packs.</returns>
    public static ImmutableArray<RulePack> Override(IEnumerable<RulePack> packs, IEnumerable<RulePack> own)
    {
        var byName = packs.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var pack in own)
        {
            byName[pack.Name] = pack;
        }

        return [.. byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    /// <summary>Loads every <c>*.rules</c> file of a directory; a null or missing directory yields none and no warning.</summary>
    public static RulePackLoadResult LoadDirectory(string? directory)
    {
        var warnings = new List<InventoryWarning>();
        var packs = ImmutableArray.CreateBuilder<RulePack>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, text) in OperatorFiles.Read(directory, FileSuffix, "rule pack", SysfsWarningCodes.RulePackUnreadable, warnings))
        {
            var result = Parse(text, file);
            warnings.AddRange(result.Warnings);
            foreach (var pack in result.Packs)
            {
                if (names.TryGetValue(pack.Name, out var first))
                {
                    warnings.Add(new InventoryWarning(SysfsWarningCodes.RulePackInvalid, file, $"rule pack '{pack.Name}' is also defined in {first}; only the first in file-name order is used"));
                    continue;
                }

                names[pack.Name] = file;
                packs.Add(pack);
            }
        }

        return new RulePackLoadResult(packs.ToImmutable(), [.. warnings]);
    }

    /// <summary>Parses one rule pack file; the result holds the pack, or none when the file has errors.</summary>
    public static RulePackLoadResult Parse(string text, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(filePath);
        var warnings = ImmutableArray.CreateBuilder<InventoryWarning>();
        var hasError = false;

        void Problem(int line, int column, string message, bool isError = true)
        {
            hasError |= isError;
            warnings.Add(new InventoryWarning(
                SysfsWarningCodes.RulePackInvalid,
                string.Create(CultureInfo.InvariantCulture, $"{filePath}:{line}:{column}"),
                isError ? $"error: {message}; the rule pack is not used" : $"warning: {message}"));
        }

        var lines = text.Split('\n');
        var header = new List<(int Line, string Text)>();
        var rules = ImmutableArray.CreateBuilder<RulePackRule>();
        List<(int Line, string Text)>? match = null;
        var matchLine = 0;
        var section = string.Empty;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var content = ProfileLoader.StripComment(line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            switch (content)
            {
                case "[pack]":
                    if (section.Length != 0)
                    {
                        Problem(i + 1, ProfileLoader.Column(line), "[pack] must come first, once");
                    }

                    section = "pack";
                    continue;
                case "[match]":
                    if (section.Length == 0)
                    {
                        Problem(i + 1, ProfileLoader.Column(line), "a rule pack starts with its [pack] section");
                    }

                    section = "match";
                    match = [];
                    matchLine = i + 1;
                    continue;
                case "[descriptor]":
                    if (section.Length == 0)
                    {
                        Problem(i + 1, ProfileLoader.Column(line), "a rule pack starts with its [pack] section");
                    }

                    var end = i + 1;
                    while (end < lines.Length && ProfileLoader.StripComment(lines[end].TrimEnd('\r')).Trim() is not ("[match]" or "[descriptor]" or "[pack]"))
                    {
                        end++;
                    }

                    var rule = ReadRule(lines, i + 2, end, filePath, match ?? [], matchLine == 0 ? i + 1 : matchLine, Problem);
                    if (rule is not null)
                    {
                        rules.Add(rule);
                    }

                    match = null;
                    matchLine = 0;
                    section = "descriptor";
                    i = end - 1;
                    continue;
            }

            if (section == "pack")
            {
                header.Add((i + 1, line));
            }
            else if (section == "match")
            {
                match!.Add((i + 1, line));
            }
            else
            {
                Problem(i + 1, ProfileLoader.Column(line), $"\"{ScanWarnings.Shorten(content)}\" outside a section; a rule pack starts with [pack]");
            }
        }

        if (match is not null)
        {
            Problem(matchLine, 1, "[match] without a [descriptor] after it");
        }

        var pack = ReadHeader(header, filePath, text, rules.ToImmutable(), Problem);
        if (pack is not null && pack.Rules.IsEmpty && pack.Migrates)
        {
            Problem(lines.Length, 1, "the pack says the driver migrates but has no rule; write at least one [descriptor] section saying what it compares");
        }

        return hasError || pack is null ? new RulePackLoadResult([], warnings.ToImmutable()) : new RulePackLoadResult([pack], warnings.ToImmutable());
    }

    private static RulePackRule? ReadRule(string[] lines, int firstLine, int end, string filePath, List<(int Line, string Text)> match, int ruleLine, Action<int, int, string, bool> problem)
    {
        var criteria = match.Count == 0 ? Empty : ProfileLoader.ReadCriteria(match, problem);
        var descriptorText = string.Join('\n', lines.Skip(firstLine - 1).Take(end - firstLine + 1));
        var parsed = DescriptorParser.Parse(descriptorText, filePath, firstLine);
        foreach (var diagnostic in parsed.Diagnostics)
        {
            problem(diagnostic.Line, diagnostic.Column, $"{diagnostic.Code}: {diagnostic.Message}", diagnostic.Severity == DiagnosticSeverity.Error);
        }

        return criteria is null || parsed.Descriptor is null ? null : new RulePackRule(ruleLine, criteria, parsed.Descriptor);
    }

    private static readonly ProfileCriteria Empty = new([], [], [], [], [], [], [], []);

    private static RulePack? ReadHeader(List<(int Line, string Text)> header, string filePath, string text, ImmutableArray<RulePackRule> rules, Action<int, int, string, bool> problem)
    {
        var values = new Dictionary<string, (int Line, int Column, string Value)>(StringComparer.Ordinal);
        var sources = ImmutableArray.CreateBuilder<string>();
        foreach (var (lineNumber, line) in header)
        {
            var content = ProfileLoader.StripComment(line);
            var equals = content.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? content.Trim() : content[..equals].Trim();
            var value = equals < 0 ? string.Empty : content[(equals + 1)..].Trim();
            if (equals < 0 || !HeaderKeys.Contains(key))
            {
                problem(lineNumber, ProfileLoader.Column(line), $"expected one of {string.Join(", ", HeaderKeys)} as \"key = value\" in [pack]", true);
                continue;
            }

            if (value.Length == 0)
            {
                problem(lineNumber, ProfileLoader.Column(line), $"\"{key}\" has no value", true);
            }
            else if (key == "source")
            {
                sources.Add(value);
            }
            else if (!values.TryAdd(key, (lineNumber, ProfileLoader.Column(line), value)))
            {
                problem(lineNumber, ProfileLoader.Column(line), $"\"{key}\" is given twice", true);
            }
        }

        foreach (var key in HeaderKeys.Where(k => k != "source" && !values.ContainsKey(k)))
        {
            problem(1, 1, $"[pack] has no \"{key}\"", true);
        }

        if (sources.Count == 0)
        {
            problem(1, 1, "[pack] names no \"source\"; cite the driver code or document each rule mirrors", true);
        }

        if (values.Count < HeaderKeys.Length - 1)
        {
            return null;
        }

        var name = values["name"];
        if (!name.Value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            problem(name.Line, name.Column, $"name \"{name.Value}\" may only use lower-case letters, digits, '-' and '_'", true);
        }

        var version = values["version"];
        if (!int.TryParse(version.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            problem(version.Line, version.Column, $"version \"{version.Value}\" is not a positive integer", true);
        }

        var migrates = values["migrates"];
        if (migrates.Value is not ("yes" or "no"))
        {
            problem(migrates.Line, migrates.Column, $"migrates is \"{migrates.Value}\"; write yes (the driver can migrate device state) or no", true);
        }

        var drivers = values["driver"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
        return new RulePack(name.Value, number, drivers, migrates.Value == "yes", sources.ToImmutable(), rules, filePath, text);
    }

    private static RulePackLoadResult LoadShippedCore()
    {
        var assembly = typeof(RulePackLoader).Assembly;
        var packs = ImmutableArray.CreateBuilder<RulePack>();
        var warnings = ImmutableArray.CreateBuilder<InventoryWarning>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(FileSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var fileName = resource[(resource.LastIndexOf('/') + 1)..];
            var result = Parse(reader.ReadToEnd(), ShippedPrefix + fileName);
            packs.AddRange(result.Packs);
            warnings.AddRange(result.Warnings);
        }

        return new RulePackLoadResult([.. packs.OrderBy(p => p.Name, StringComparer.Ordinal)], warnings.ToImmutable());
    }
}
