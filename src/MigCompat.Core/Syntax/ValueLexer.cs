using System.Buffers;
using System.Text;

namespace MigCompat.Core.Syntax;

/// <summary>Reads the value part of a <c>name=value</c> line: a quoted string or bare text, up to a trailing comment.</summary>
internal static class ValueLexer
{
    private static readonly SearchValues<char> BareSpecials = SearchValues.Create("\"{}#");

    /// <summary>
    /// A value as read: its text (unescaped when quoted), whether it was quoted, where it starts in
    /// the line and how long it is there, and whether it is bare text with braces (a template: then
    /// <see cref="Text"/> is empty and the template is the line's <see cref="Start"/>..+<see cref="Length"/>).
    /// </summary>
    internal readonly record struct LexedValue(string Text, bool Quoted, int Start, int Length = 0, bool HasBraces = false);

    /// <summary>Reads the value that starts at or after <paramref name="start"/> in <paramref name="line"/>.</summary>
    public static bool TryRead(ReadOnlySpan<char> line, int start, out LexedValue value, out SyntaxError error)
    {
        value = default;
        error = default;
        var i = start;
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        if (i >= line.Length || line[i] == '#')
        {
            value = new LexedValue(string.Empty, false, i);
            return true;
        }

        return line[i] == '"' ? TryReadQuoted(line, i, out value, out error) : TryReadBare(line, i, out value, out error);
    }

    /// <summary>Reads a double-quoted string starting at <paramref name="open"/>; returns the index after the closing quote.</summary>
    public static bool TryReadQuotedString(ReadOnlySpan<char> line, int open, out string text, out int end, out SyntaxError error)
    {
        // Fast path: no escape before the closing quote, so the text is a plain slice.
        var body = line[(open + 1)..];
        var stop = body.IndexOfAny('"', '\\');
        if (stop >= 0 && body[stop] == '"')
        {
            text = StringPool.Get(body[..stop]);
            end = open + 1 + stop + 1;
            error = default;
            return true;
        }

        var builder = new StringBuilder();
        var i = open + 1;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '"')
            {
                text = builder.ToString();
                end = i + 1;
                error = default;
                return true;
            }

            if (c == '\\')
            {
                if (i + 1 >= line.Length)
                {
                    break;
                }

                var escaped = line[i + 1];
                switch (escaped)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    default:
                        text = string.Empty;
                        end = i;
                        error = new SyntaxError(DiagnosticCodes.InvalidEscape, $"unknown escape '\\{escaped}' in a quoted value; use \\\", \\\\, \\n, \\r or \\t", i);
                        return false;
                }

                i += 2;
                continue;
            }

            builder.Append(c);
            i++;
        }

        text = string.Empty;
        end = line.Length;
        error = new SyntaxError(DiagnosticCodes.UnterminatedString, "the quoted value has no closing '\"'", open);
        return false;
    }

    private static bool TryReadQuoted(ReadOnlySpan<char> line, int open, out LexedValue value, out SyntaxError error)
    {
        value = default;
        if (!TryReadQuotedString(line, open, out var text, out var i, out error))
        {
            return false;
        }

        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        if (i < line.Length && line[i] != '#')
        {
            error = new SyntaxError(DiagnosticCodes.UnexpectedText, "unexpected text after the closing quote; put the whole value inside the quotes, or start a comment with '#'", i);
            return false;
        }

        value = new LexedValue(text, true, open);
        return true;
    }

    private static bool TryReadBare(ReadOnlySpan<char> line, int start, out LexedValue value, out SyntaxError error)
    {
        value = default;
        error = default;
        var depth = 0;
        var openBrace = -1;
        var i = start;
        for (; i < line.Length; i++)
        {
            if (depth == 0)
            {
                // Outside a placeholder only '"', '{', '}' and '#' matter: skip to the next one.
                var skip = line[i..].IndexOfAny(BareSpecials);
                if (skip < 0)
                {
                    i = line.Length;
                    break;
                }

                i += skip;
            }

            var c = line[i];
            if (c == '"')
            {
                if (depth == 0)
                {
                    error = new SyntaxError(DiagnosticCodes.UnexpectedText, "a '\"' inside a bare value; quote the whole value instead", i);
                    return false;
                }

                if (!TryReadQuotedString(line, i, out _, out var end, out error))
                {
                    return false;
                }

                i = end - 1;
            }
            else if (c == '{')
            {
                if (depth > 0)
                {
                    error = new SyntaxError(DiagnosticCodes.InvalidTemplate, "placeholders cannot be nested: '{' inside '{...}'", i);
                    return false;
                }

                depth = 1;
                openBrace = i;
            }
            else if (c == '}')
            {
                if (depth == 0)
                {
                    error = new SyntaxError(DiagnosticCodes.InvalidTemplate, "'}' without a matching '{'; quote the value if the brace is literal", i);
                    return false;
                }

                depth = 0;
            }
            else if (c == '#' && depth == 0 && (i == start || line[i - 1] is ' ' or '\t'))
            {
                break;
            }
        }

        if (depth > 0)
        {
            error = new SyntaxError(DiagnosticCodes.InvalidTemplate, "'{' is never closed with '}'", openBrace);
            return false;
        }

        var text = line[start..i].TrimEnd(" \t");
        value = openBrace >= 0
            ? new LexedValue(string.Empty, false, start, text.Length, true)
            : new LexedValue(StringPool.Get(text), false, start, text.Length);
        return true;
    }
}
