using System.Collections.Immutable;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Syntax;

namespace MigCompat.Cli.Input;

/// <summary>
/// Turns a command-line argument into a descriptor. The argument is one of: a descriptor file; a
/// directory of September-2020 per-attribute files (one value per file, read with
/// <see cref="PerAttributeForm"/>); or <c>INVENTORY.json#ID</c>, where ID is a device id or
/// <c>PARENT/TYPE</c> for a creatable type of that inventory.
/// </summary>
internal static class DescriptorInput
{
    /// <summary>The largest descriptor file read, in bytes (the language's own limit, 1 MiB).</summary>
    public const int MaxDescriptorBytes = DescriptorLimits.MaxInputLength;

    /// <summary>The largest attribute file read from a per-attribute directory (64 KiB, like a sysfs attribute).</summary>
    public const int MaxAttributeBytes = 64 * 1024;

    /// <summary>The most entries a per-attribute directory may have.</summary>
    public const int MaxAttributeFiles = 512;

    /// <summary>Attribute files that are write-only triggers in sysfs; they are never read.</summary>
    private static readonly string[] WriteOnlyAttributes = ["create", "remove"];

    /// <summary>Reads the descriptor the argument names; never throws for bad input.</summary>
    /// <param name="argument">The argument as given.</param>
    /// <returns>The descriptor or the diagnostics that say why not.</returns>
    public static LoadedDescriptor Load(string argument)
    {
        if (Directory.Exists(argument))
        {
            return LoadDirectory(argument);
        }

        if (File.Exists(argument))
        {
            return LoadFile(argument);
        }

        var hash = argument.LastIndexOf('#');
        if (hash > 0 && File.Exists(argument[..hash]))
        {
            return InventoryInput.Load(argument, argument[..hash], argument[(hash + 1)..]);
        }

        var path = hash > 0 ? argument[..hash] : argument;
        return Failed(argument, Diagnostic.Error(CliDiagnosticCodes.NotFound, "no such file or directory", path, 0, 0));
    }

    /// <summary>Reads a descriptor file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The descriptor or diagnostics.</returns>
    public static LoadedDescriptor LoadFile(string path)
    {
        if (!BoundedFile.TryRead(path, MaxDescriptorBytes, out var text, out var problem))
        {
            return Failed(path, problem!);
        }

        var result = DescriptorParser.Parse(text, path, requireFields: true);
        return new LoadedDescriptor(path, result.Descriptor, result.Diagnostics);
    }

    /// <summary>Reads a directory of per-attribute files (file name = attribute, content = value).</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>The descriptor or diagnostics.</returns>
    public static LoadedDescriptor LoadDirectory(string directory)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(directory, Diagnostic.Error(CliDiagnosticCodes.Unreadable, "cannot list the directory: " + ex.Message, directory, 0, 0));
        }

        if (entries.Length > MaxAttributeFiles)
        {
            return Failed(directory, Diagnostic.Error(CliDiagnosticCodes.BadAttributeDirectory, $"has {entries.Length} entries, more than the {MaxAttributeFiles} a per-attribute directory may have; check that the right directory was given", directory, 0, 0));
        }

        Array.Sort(entries, StringComparer.Ordinal);
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var attributes = new List<KeyValuePair<string, string>>();
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (Directory.Exists(entry) || Array.IndexOf(WriteOnlyAttributes, name) >= 0)
            {
                continue;
            }

            if (BoundedFile.TryRead(entry, MaxAttributeBytes, out var value, out var problem))
            {
                attributes.Add(new(name, value));
            }
            else
            {
                diagnostics.Add(Diagnostic.Warning(CliDiagnosticCodes.AttributeSkipped, $"attribute skipped: {problem!.Message}", entry, 0, 0));
            }
        }

        if (attributes.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(CliDiagnosticCodes.BadAttributeDirectory, "holds no readable attribute file; a per-attribute directory has one file per field (device_api, mdev_type, software_version, compatible_<field>...)", directory, 0, 0));
            return new LoadedDescriptor(directory, null, diagnostics.ToImmutable());
        }

        // A per-type directory (mdev_supported_types/<type>/) names its type by its own name.
        var typeId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        var result = PerAttributeForm.Parse(attributes, directory, typeId.Length == 0 ? null : typeId);
        diagnostics.AddRange(result.Diagnostics);
        return new LoadedDescriptor(directory, result.Descriptor, diagnostics.ToImmutable());
    }

    /// <summary>A failed load with one diagnostic.</summary>
    /// <param name="name">The input.</param>
    /// <param name="diagnostic">Why it failed.</param>
    /// <returns>The failed load.</returns>
    public static LoadedDescriptor Failed(string name, Diagnostic diagnostic) => new(name, null, [diagnostic]);
}
