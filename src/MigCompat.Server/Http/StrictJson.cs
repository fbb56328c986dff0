using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MigCompat.Server.Http;

/// <summary>
/// The checks every JSON request body gets before it is bound, with the JSON path of what is wrong:
/// well-formed, no property twice in one object, no string that is not Unicode (a lone surrogate
/// escape such as <c>"\ud800"</c>). And, when binding fails, what JSON type was expected at which path,
/// in JSON's words (never a .NET type name).
/// </summary>
internal static class StrictJson
{
    /// <summary>What is wrong with a body and where.</summary>
    /// <param name="Path">The JSON path (<c>$.items[1].count</c>).</param>
    /// <param name="Message">What is wrong, naming the path.</param>
    /// <param name="NotUnicode">True when the problem is a string that is not Unicode text (a lone surrogate escape).</param>
    public sealed record Problem(string Path, string Message, bool NotUnicode = false);

    /// <summary>The first problem in <paramref name="utf8"/>, or null when it is a well-formed JSON document with unique property names and valid strings.</summary>
    public static Problem? Check(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        AfterValue(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var top = frames[^1];
                        string name;
                        try
                        {
                            name = reader.GetString()!;
                        }
                        catch (InvalidOperationException)
                        {
                            var at = PathOf(frames, includeProperty: false);
                            return new Problem(at, $"a property name in the object at {at} is not valid Unicode text (a lone surrogate escape such as \\ud800); escape whole characters only", NotUnicode: true);
                        }

                        top.Property = name;
                        top.Names ??= new HashSet<string>(StringComparer.Ordinal);
                        if (!top.Names.Add(name))
                        {
                            var at = PathOf(frames);
                            return new Problem(at, $"property '{Printable(name)}' is given twice in the same object (at {at}); give each property once");
                        }

                        break;
                    case JsonTokenType.String:
                        if (reader.ValueIsEscaped)
                        {
                            try
                            {
                                reader.GetString();
                            }
                            catch (InvalidOperationException)
                            {
                                var at = PathOf(frames);
                                return new Problem(at, $"the string at {at} is not valid Unicode text (a lone surrogate escape such as \\ud800); escape whole characters only (a surrogate pair, or the character itself)", NotUnicode: true);
                            }
                        }

                        AfterValue(frames);
                        break;
                    default:
                        AfterValue(frames);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var at = PathOf(frames);
            var where = e.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, byte {e.BytePositionInLine + 1}, at {at}") : "at " + at;
            return new Problem(at, $"the body is not well-formed JSON ({where}): {StripLocation(e.Message)}");
        }

        return null;
    }

    /// <summary>
    /// Explains why binding <paramref name="root"/> failed at <paramref name="path"/> (a
    /// <see cref="JsonException.Path"/>): the JSON type expected there, in JSON's words.
    /// </summary>
    public static string ExpectedAt(Type root, string? path)
    {
        var at = string.IsNullOrEmpty(path) ? "$" : path;
        var type = TypeAt(root, at);
        return type is null
            ? $"the value at {at} is not of the expected JSON type (see /openapi/v1.json)"
            : $"the value at {at} must be {JsonTypeName(type)}";
    }

    /// <summary>A JSON description of what a .NET type binds from.</summary>
    public static string JsonTypeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a JSON string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            var (min, max) = type == typeof(int) ? (int.MinValue.ToString(CultureInfo.InvariantCulture), int.MaxValue.ToString(CultureInfo.InvariantCulture))
                : type == typeof(short) ? (short.MinValue.ToString(CultureInfo.InvariantCulture), short.MaxValue.ToString(CultureInfo.InvariantCulture))
                : (long.MinValue.ToString(CultureInfo.InvariantCulture), long.MaxValue.ToString(CultureInfo.InvariantCulture));
            return $"a JSON number that is a whole number from {min} to {max} (not a string)";
        }

        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float))
        {
            return "a JSON number (not a string)";
        }

        if (DictionaryValueType(type) is { } value)
        {
            return $"a JSON object whose values are each {JsonTypeName(value)}";
        }

        if (ElementType(type) is { } element)
        {
            return $"a JSON array whose items are each {JsonTypeName(element)}";
        }

        return "a JSON object";
    }

    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length && type is not null)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                type = Member(type, path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                type = Member(type, path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }

                type = ElementType(type);
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return type;
    }

    private static Type? Member(Type type, string name)
    {
        if (DictionaryValueType(type) is { } value)
        {
            return value;
        }

        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => string.Equals(JsonNamingPolicy.CamelCase.ConvertName(p.Name), name, StringComparison.Ordinal))?.PropertyType;
    }

    private static Type? DictionaryValueType(Type type) =>
        (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
        ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static void AfterValue(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private static string PathOf(List<Frame> frames, bool includeProperty = true)
    {
        var path = new StringBuilder("$");
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else if (frame.Property is { } property && (includeProperty || i < frames.Count - 1))
            {
                if (property.Length > 0 && property.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    path.Append('.').Append(property);
                }
                else
                {
                    path.Append("['").Append(Printable(property).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
                }
            }
        }

        return path.ToString();
    }

    /// <summary>The text with control characters escaped and cut at 100 characters, for messages.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Length > 100 ? text[..100] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > 100 ? builder.Append("...").ToString() : builder.ToString();
    }

    private static string StripLocation(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut].TrimEnd();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; }

        public string? Property { get; set; }

        public HashSet<string>? Names { get; set; }
    }
}
