using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using MigCompat.Core.Matching;

namespace MigCompat.Server.Contracts;

/// <summary>What the OpenAPI document says beyond what the contract records show.</summary>
internal static class OpenApiSchemas
{
    /// <summary>Registers the schema names and transformers.</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = type => type.Type == typeof(EvidenceResponse) ? "Evidence" : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddSchemaTransformer(DescribeAsync);
    }

    /// <summary>Lists the evidence kinds and the reason members.</summary>
    private static Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(EvidenceResponse) && schema.Properties?.TryGetValue("kind", out var kind) == true && kind is OpenApiSchema kindSchema)
        {
            kindSchema.Description = "What vouches for the verdict.";
            kindSchema.Enum = [.. Enum.GetValues<EvidenceKind>().Select(k => (JsonNode)JsonValue.Create(Evidence.Name(k)))];
        }

        if (context.JsonTypeInfo.Type == typeof(ReasonResponse) && schema.Properties is { } reason)
        {
            Describe(reason, "source", "The source device's value of the field, when it has one.");
            Describe(reason, "accepts", "What the target accepts for the field, when it states it.");
            Describe(reason, "block", "The 0-based COMPATIBLE block the reason comes from, or null.");
        }

        return Task.CompletedTask;
    }

    private static void Describe(IDictionary<string, IOpenApiSchema> properties, string name, string description)
    {
        if (properties.TryGetValue(name, out var property) && property is OpenApiSchema schema)
        {
            schema.Description = description;
        }
    }
}
