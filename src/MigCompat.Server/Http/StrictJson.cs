using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MigCompat.Discovery.Json;

namespace MigCompat.Server.Http;

/// <summary>
/// The words of a refusal of a JSON request body, with the JSON path of what is wrong: what Discovery's
/// <see cref="JsonTextScanner"/> finds before the body is bound (not well-formed, a property twice in one
/// object, a string that is not Unicode such as the lone surrogate escape <c>"\ud800"</c>), and, when
/// binding fails, what JSON type was expected at which path, in JSON's words (never a .NET type name).
/// </summary>
internal static class StrictJson
{
    /// <summary>What is wrong with a body, as <see cref="JsonTextScanner.Scan"/> found it (<see cref="JsonScan.First"/>), in a refusal's words, naming the JSON path.</summary>
    public static string Refusal(JsonProblem problem) => problem.Kind switch
    {
        JsonProblemKind.DuplicateProperty => $"property '{Printable(problem.Name!)}' is given twice in the same object (at {problem.Path}); give each property once",
        JsonProblemKind.NotTextPropertyName => $"a property name in the object at {problem.Path} is not valid Unicode text (a lone surrogate escape such as \\ud800); escape whole characters only",
        JsonProblemKind.NotTextString => $"the string at {problem.Path} is not valid Unicode text (a lone surrogate escape such as \\ud800); escape whole characters only (a surrogate pair, or the character itself)",
        _ => string.Create(CultureInfo.InvariantCulture, $"the body is not well-formed JSON (line {problem.Exception!.LineNumber + 1}, byte {problem.Exception.BytePositionInLine + 1}, at {problem.Path}): {JsonTextScanner.ParserMessage(problem.Exception)}"),
    };

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

    /// <summary>The text with control, invisible and whitespace characters other than a space escaped (a message stays one line) and cut at 100 characters, for messages.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Length > 100 ? text[..100] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format || (char.IsWhiteSpace(c) && c != ' '))
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
}
