using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Syntax;

namespace MigCompat.Core.Tests;

/// <summary>Helpers: parse text that must be valid, and check two texts.</summary>
internal static class Descriptors
{
    public static Descriptor Parse(string text)
    {
        var result = DescriptorParser.Parse(text, "test");
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return result.Descriptor!;
    }

    public static Verdict Check(string source, string target) => Matcher.Check(Parse(source), Parse(target));

    public static string Lines(params string[] lines) => string.Join("\n", lines);

    public static string Explain(Verdict verdict) => string.Join("\n", verdict.Reasons.Select(r => $"{r.Code} {r.Field}: {r.Message}"));
}
