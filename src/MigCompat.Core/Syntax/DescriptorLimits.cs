namespace MigCompat.Core.Syntax;

/// <summary>Size guards: input beyond them is refused with a diagnostic, never processed.</summary>
public static class DescriptorLimits
{
    /// <summary>The largest descriptor text, in characters (1 MiB).</summary>
    public const int MaxInputLength = 1 << 20;

    /// <summary>The longest line, in characters.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>The longest field or variable name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>The most fields in one section (SELF or one COMPATIBLE block).</summary>
    public const int MaxFieldsPerSection = 512;

    /// <summary>The most COMPATIBLE blocks.</summary>
    public const int MaxBlocks = 64;

    /// <summary>The most values (or ranges) in one declaration list.</summary>
    public const int MaxListItems = 1024;
}
