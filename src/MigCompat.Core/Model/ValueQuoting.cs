using System.Text;

namespace MigCompat.Core.Model;

/// <summary>How values are written: bare when that reads back the same, otherwise double-quoted with escapes.</summary>
public static class ValueQuoting
{
    /// <summary>True when <paramref name="text"/> must be quoted to read back unchanged as a literal.</summary>
    public static bool NeedsQuotes(string text)
    {
        if (text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '{' or '}' or '"' || char.IsControl(c) || (c == '#' && (i == 0 || char.IsWhiteSpace(text[i - 1]))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text as a value: bare, or quoted when needed.</summary>
    public static string Format(string text)
    {
        if (!NeedsQuotes(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 2);
        AppendQuoted(builder, text);
        return builder.ToString();
    }

    /// <summary>Appends <paramref name="text"/> double-quoted, escaping <c>\</c>, <c>"</c>, newline, carriage return and tab.</summary>
    public static void AppendQuoted(StringBuilder builder, string text)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }
}
