namespace MigCompat.Core.Syntax;

/// <summary>A syntax problem inside one line: code, message and the 0-based index in the line.</summary>
internal readonly record struct SyntaxError(string Code, string Message, int Index);
