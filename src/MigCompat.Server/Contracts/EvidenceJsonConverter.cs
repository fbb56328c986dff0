using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
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

    /// <summary>Describes the written shape in the OpenAPI document (the converter hides it from the schema generator).</summary>
    /// <param name="schema">The schema being built.</param>
    /// <param name="context">Which type it is for.</param>
    /// <param name="cancellationToken">Unused.</param>
    public static Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(Evidence))
        {
            schema.Type = JsonSchemaType.Object;
            schema.Required = new HashSet<string> { "kind", "detail" };
            schema.Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["kind"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "What vouches for the verdict.",
                    Enum = [.. Enum.GetValues<EvidenceKind>().Select(k => (JsonNode)JsonValue.Create(Evidence.Name(k)))],
                },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Which pack, profile, file or build; for a person." },
            };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Evidence value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", value.KindName);
        writer.WriteString("detail", value.Detail);
        writer.WriteEndObject();
    }
}
