using System.Text.Json;
using System.Text.Json.Serialization;
using MigCompat.Core.Matching;

namespace MigCompat.Server.Contracts;

/// <summary>
/// Writes an <see cref="Evidence"/> as the CLI's <c>check --format json</c> does:
/// <c>{"kind": "rule-pack", "detail": "nvidia-vgpu 1"}</c> (kinds <c>none</c>, <c>driver</c>,
/// <c>rule-pack</c>, <c>profile</c>, <c>declaration</c>, <c>identical-build</c>). The API only
/// answers with evidence; no request carries it.
/// </summary>
internal sealed class EvidenceJsonConverter : JsonConverter<Evidence>
{
    /// <inheritdoc/>
    public override Evidence Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("evidence is only written by the API, never read");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Evidence value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", value.KindName);
        writer.WriteString("detail", value.Detail);
        writer.WriteEndObject();
    }
}
