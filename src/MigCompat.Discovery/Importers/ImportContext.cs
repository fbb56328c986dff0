using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using MigCompat.Core.Diagnostics;
using MigCompat.Discovery.Inventory;
using MigCompat.Discovery.Json;

namespace MigCompat.Discovery.Importers;

/// <summary>Diagnostics collection shared by the importers, with JSON-path locations for JSON inputs.</summary>
internal sealed class ImportContext(string fileName)
{
    private readonly ImmutableArray<Diagnostic>.Builder diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
    private readonly List<(int Index, string Path)> unlocated = [];
    private byte[]? jsonUtf8;

    public string FileName => fileName;

    /// <summary>Every diagnostic so far; those at JSON paths are located (in one pass over the input) when first asked for.</summary>
    public ImmutableArray<Diagnostic> Diagnostics
    {
        get
        {
            if (unlocated.Count > 0 && jsonUtf8 is not null)
            {
                var scan = JsonTextScanner.Scan(jsonUtf8, InventoryJson.MaxDepth, unlocated.Select(u => u.Path).ToHashSet(StringComparer.Ordinal));
                foreach (var (index, path) in unlocated)
                {
                    var (line, column) = scan.Locate(path);
                    diagnostics[index] = diagnostics[index] with { Line = line, Column = column };
                }

                unlocated.Clear();
            }

            return diagnostics.ToImmutable();
        }
    }

    /// <summary>Refuses oversized input; true when the input may be read.</summary>
    public bool CheckSize(string content)
    {
        if (content.Length <= ImportLimits.MaxInputChars)
        {
            return true;
        }

        diagnostics.Add(Diagnostic.Error(ImportCodes.InputTooLarge, $"The input has {content.Length} characters, more than the limit of {ImportLimits.MaxInputChars}; it was not read. Check that the right file was given.", fileName, 0, 0));
        return false;
    }

    /// <summary>Parses JSON, reporting malformed input with line and column; null on failure.</summary>
    public JsonDocument? ParseJson(string content)
    {
        if (!CheckSize(content))
        {
            return null;
        }

        jsonUtf8 = Encoding.UTF8.GetBytes(content);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jsonUtf8, new JsonDocumentOptions { MaxDepth = InventoryJson.MaxDepth });
        }
        catch (JsonException ex)
        {
            var message = InputKind.OfNonJson(content) is { } kind ? $"The input is {kind}." : $"The input is not well-formed JSON: {JsonTextScanner.ParserMessage(ex)}";
            diagnostics.Add(Diagnostic.Error(ImportCodes.Malformed, message, fileName, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1));
            return null;
        }

        var scan = JsonTextScanner.Scan(jsonUtf8, InventoryJson.MaxDepth);
        if (scan.NotText is { } notText)
        {
            document.Dispose();
            var (line, column) = scan.LineAndColumn(notText.Offset);
            diagnostics.Add(Diagnostic.Error(ImportCodes.Malformed, "The input has " + JsonTextScanner.NotTextMessage + ".", fileName, line, column));
            return null;
        }

        return document;
    }

    /// <summary>Reports a problem at a JSON path of the parsed input.</summary>
    public void AtJsonPath(DiagnosticSeverity severity, string code, string path, string message)
    {
        if (jsonUtf8 is not null)
        {
            unlocated.Add((diagnostics.Count, path));
        }

        diagnostics.Add(new Diagnostic(severity, code, $"{path}: {message}", fileName, 0, 0));
    }

    /// <summary>Reports a problem at a line and column.</summary>
    public void At(DiagnosticSeverity severity, string code, int line, int column, string message) =>
        diagnostics.Add(new Diagnostic(severity, code, message, fileName, line, column));

    /// <summary>Warns when a device_api is not one of the VFIO device APIs.</summary>
    public void CheckDeviceApi(string? deviceApi, Action<string> warn)
    {
        if (deviceApi is not null && !VfioDeviceApis.IsKnown(deviceApi))
        {
            warn($"device_api \"{deviceApi}\" is not a VFIO device API ({string.Join(", ", VfioDeviceApis.Known)}); it is kept as given and will only match the same text.");
        }
    }
}

/// <summary>The VFIO device API strings the kernel defines (<c>VFIO_DEVICE_API_*_STRING</c>).</summary>
public static class VfioDeviceApis
{
    /// <summary>The known device APIs.</summary>
    public static readonly ImmutableArray<string> Known = ["vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap", "vfio-cdx"];

    /// <summary>True when <paramref name="deviceApi"/> is one of <see cref="Known"/>.</summary>
    /// <param name="deviceApi">The text read.</param>
    /// <returns>Whether it is a known VFIO device API.</returns>
    public static bool IsKnown(string deviceApi) => Known.Contains(deviceApi, StringComparer.Ordinal);
}
