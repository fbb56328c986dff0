using System.Collections.Immutable;
using System.Text.Json;
using MigCompat.Core.Matching;

namespace MigCompat.Cli.Output;

/// <summary>
/// The machine form of a <see cref="Verdict"/> (schema in docs/cli.md, snake_case like the
/// inventory): <c>source</c>, <c>target</c>, <c>compatible</c>, <c>level</c>, <c>evidence</c>, <c>reasons</c>,
/// <c>bindings</c>, <c>binding_sources</c>, <c>dynamic_resources</c>, <c>accepted_block</c>, <c>blocks</c>.
/// </summary>
internal static class VerdictJson
{
    /// <summary>The <c>level</c> value of a compatibility level.</summary>
    /// <param name="level">The level.</param>
    /// <returns><c>live</c>, <c>cold</c> or <c>none</c>.</returns>
    public static string LevelName(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.Live => "live",
        CompatibilityLevel.Cold => "cold",
        _ => "none",
    };

    /// <summary>Writes the verdict as one JSON object.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="source">The source input's name.</param>
    /// <param name="target">The target input's name.</param>
    /// <param name="verdict">The verdict.</param>
    public static void Write(Utf8JsonWriter writer, string source, string target, Verdict verdict)
    {
        writer.WriteStartObject();
        writer.WriteString("source", source);
        writer.WriteString("target", target);
        writer.WriteBoolean("compatible", verdict.IsCompatible);
        writer.WriteString("level", LevelName(verdict.Level));
        WriteEvidence(writer, verdict.Evidence);
        WriteReasons(writer, verdict.Reasons);
        WriteBindings(writer, verdict.Bindings);
        writer.WriteStartObject("dynamic_resources");
        foreach (var claim in verdict.DynamicResources.IsDefault ? [] : verdict.DynamicResources)
        {
            writer.WriteString(claim.Field, claim.Value);
        }

        writer.WriteEndObject();
        if (verdict.AcceptedBlock is { } accepted)
        {
            writer.WriteNumber("accepted_block", accepted);
        }
        else
        {
            writer.WriteNull("accepted_block");
        }

        writer.WriteStartArray("blocks");
        foreach (var block in verdict.Blocks.IsDefault ? [] : verdict.Blocks)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", block.Index);
            writer.WriteBoolean("accepted", block.Accepted);
            WriteReasons(writer, block.Reasons);
            WriteBindings(writer, block.Bindings);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>"evidence": {"kind": ..., "detail": ...}</c>.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="evidence">The evidence.</param>
    public static void WriteEvidence(Utf8JsonWriter writer, Evidence evidence)
    {
        writer.WriteStartObject("evidence");
        writer.WriteString("kind", evidence.KindName);
        writer.WriteString("detail", evidence.Detail);
        writer.WriteEndObject();
    }

    private static void WriteReasons(Utf8JsonWriter writer, ImmutableArray<Reason> reasons)
    {
        writer.WriteStartArray("reasons");
        foreach (var reason in reasons.IsDefault ? [] : reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("code", reason.Code);
            writer.WriteString("field", reason.Field);
            JsonOutput.WriteStringOrNull(writer, "source", reason.SourceValue);
            JsonOutput.WriteStringOrNull(writer, "accepts", reason.TargetAccepts);
            writer.WriteString("message", reason.Message);
            if (reason.Block is { } block)
            {
                writer.WriteNumber("block", block);
            }
            else
            {
                writer.WriteNull("block");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteBindings(Utf8JsonWriter writer, ImmutableArray<VariableBinding> bindings)
    {
        var list = bindings.IsDefault ? [] : bindings;
        writer.WriteStartObject("bindings");
        foreach (var binding in list)
        {
            writer.WriteString(binding.Name, binding.Value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("binding_sources");
        foreach (var binding in list)
        {
            writer.WriteString(binding.Name, binding.BoundBy);
        }

        writer.WriteEndObject();
    }
}
