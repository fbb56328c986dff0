using System.Globalization;
using MigCompat.Core.Matching;

namespace MigCompat.Cli.Output;

/// <summary>
/// The human form of a <see cref="Verdict"/>: a headline (LIVE / COLD / NONE and one sentence), then
/// what vouches for it (evidence), the reasons, bindings, dynamic resources and what each COMPATIBLE block said, as tables. Blocks
/// are numbered from 1 here (<c>#1</c>), like in the reason messages; the JSON form uses 0-based indexes.
/// </summary>
internal static class VerdictText
{
    /// <summary>Writes the verdict.</summary>
    /// <param name="writer">Where to write (stdout).</param>
    /// <param name="source">The source input's name.</param>
    /// <param name="target">The target input's name.</param>
    /// <param name="verdict">The verdict.</param>
    public static void Write(TextWriter writer, string source, string target, Verdict verdict)
    {
        writer.Write(Headline(source, target, verdict));
        writer.Write('\n');
        writer.Write($"Evidence: {EvidenceLine(verdict.Evidence)}\n");

        if (!verdict.Reasons.IsDefaultOrEmpty)
        {
            writer.Write("\nReasons:\n");
            var table = new TextTable("CODE", "FIELD", "SOURCE", "TARGET ACCEPTS", "BLOCK", "MESSAGE");
            foreach (var reason in verdict.Reasons)
            {
                table.Add(reason.Code, reason.Field, reason.SourceValue, reason.TargetAccepts, Block(reason.Block), reason.Message);
            }

            table.Write(writer, "  ");
        }

        if (!verdict.Bindings.IsDefaultOrEmpty)
        {
            writer.Write(verdict.IsCompatible ? "\nBindings:\n" : "\nBindings (of the closest block):\n");
            var table = new TextTable("VARIABLE", "VALUE", "BOUND BY");
            foreach (var binding in verdict.Bindings)
            {
                table.Add(binding.Name, binding.Value, binding.BoundBy);
            }

            table.Write(writer, "  ");
        }

        if (!verdict.DynamicResources.IsDefaultOrEmpty)
        {
            writer.Write("\nDynamic resources (create the target instance with these values):\n");
            var table = new TextTable("FIELD", "VALUE");
            foreach (var claim in verdict.DynamicResources)
            {
                table.Add(claim.Field, claim.Value);
            }

            table.Write(writer, "  ");
        }

        writer.Write("\nBlocks:\n");
        WriteBlocks(writer, verdict);
    }

    /// <summary>The one-line headline.</summary>
    /// <param name="source">The source input's name.</param>
    /// <param name="target">The target input's name.</param>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The headline, without a line end.</returns>
    public static string Headline(string source, string target, Verdict verdict) => verdict.Level switch
    {
        CompatibilityLevel.Live => $"LIVE: {source} can live-migrate to {target}; the target can load its device state.",
        CompatibilityLevel.Cold => $"COLD: {source} cannot live-migrate to {target}; the VM can only be restarted there on a new device (cold migration).",
        _ => $"NONE: {source} cannot migrate to {target} at all; the device API or the device type is not accepted.",
    };

    /// <summary>What vouches for the verdict, in one line: <c>rule-pack — mtty 1 (rules/mtty.rules)</c>.</summary>
    /// <param name="evidence">The verdict's evidence.</param>
    /// <returns>The line, without a line end.</returns>
    public static string EvidenceLine(Evidence evidence) =>
        evidence.Kind == EvidenceKind.None ? "none: " + evidence.Detail : $"{evidence.KindName}: {evidence.Detail}";

    private static void WriteBlocks(TextWriter writer, Verdict verdict)
    {
        if (verdict.Blocks.IsDefaultOrEmpty)
        {
            writer.Write("  The target declares no COMPATIBLE block: its own fields were compared with the source's (the default rule).\n");
            return;
        }

        var table = new TextTable("BLOCK", "RESULT", "WHY NOT");
        foreach (var block in verdict.Blocks)
        {
            var why = block.Reasons.IsDefaultOrEmpty
                ? null
                : string.Join("; ", block.Reasons.Select(r => $"{r.Code} {r.Field}"));
            table.Add(BlockNumber(block.Index), block.Accepted ? "accepted" : "refused", why);
        }

        table.Write(writer, "  ");
    }

    private static string? Block(int? block) => block is { } index ? BlockNumber(index) : null;

    /// <summary>Blocks are numbered from 1 for people (as in the reason messages): <c>#1</c> is the first COMPATIBLE block.</summary>
    private static string BlockNumber(int index) => string.Create(CultureInfo.InvariantCulture, $"#{index + 1}");
}
