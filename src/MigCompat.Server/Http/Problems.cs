using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using MigCompat.Core.Diagnostics;

namespace MigCompat.Server.Http;

/// <summary><c>application/problem+json</c> answers with a message a person can act on.</summary>
internal static class Problems
{
    public static IResult Create(int status, string title, string detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult BadRequest(string detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Create(StatusCodes.Status400BadRequest, "The request is malformed", detail, extensions);

    public static IResult Unprocessable(string detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Create(StatusCodes.Status422UnprocessableEntity, "The request cannot be carried out as given", detail, extensions);

    public static IResult NotFound(string detail) =>
        Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Create(StatusCodes.Status409Conflict, "Conflict", detail, extensions);

    public static IResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "Authentication required", detail);

    public static IResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "Not allowed", detail);

    public static IResult TooLarge(long limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large", $"the body exceeds this endpoint's limit of {limit} bytes; send a smaller document", [new("limitBytes", limit)]);

    /// <summary>Diagnostics as a plain list for a problem's <c>diagnostics</c> member.</summary>
    public static KeyValuePair<string, object?> Diagnostics(ImmutableArray<Diagnostic> diagnostics) =>
        new("diagnostics", (diagnostics.IsDefault ? [] : diagnostics).Select(DiagnosticDto.From).ToArray());
}

/// <summary>A diagnostic as the API shows it.</summary>
/// <param name="Severity"><c>error</c> or <c>warning</c>.</param>
/// <param name="Code">The stable code.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="File">Where, when known.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
internal sealed record DiagnosticDto(string Severity, string Code, string Message, string? File, int Line, int Column)
{
    public static DiagnosticDto From(Diagnostic diagnostic) =>
        new(diagnostic.IsError ? "error" : "warning", diagnostic.Code, diagnostic.Message, diagnostic.File, diagnostic.Line, diagnostic.Column);
}
