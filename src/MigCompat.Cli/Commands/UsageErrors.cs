using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MigCompat.Cli.Commands;

/// <summary>
/// Says what is wrong with a command line in the user's words: an unknown option is never taken for a
/// file name (<c>validate x --formt json</c>: "unknown option '--formt' (did you mean --format?)"), a
/// mistyped command gets a suggestion, a value of the wrong kind names the option and what it takes
/// ("--limit: 'abc' is not a whole number", never a .NET type name), and a missing argument is
/// reported once, by its name. Everything after <c>--</c> is an argument, whatever it looks like.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The problems of the command line, one sentence each, in order; empty when it can run.</summary>
    /// <param name="parse">The parse result.</param>
    /// <returns>The messages.</returns>
    public static IReadOnlyList<string> Find(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var messages = new List<string>();
        var commandResult = parse.CommandResult;
        var command = commandResult.Command;
        var options = OptionsInScope(commandResult);

        // A token that looks like an option but is none of this command's is an unknown option (unless it is the value of the option before it).
        var unknown = new List<string>();
        var afterUnknown = new HashSet<string>(StringComparer.Ordinal);
        var previousWasUnknown = false;
        Option? previousOption = null;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Type == TokenType.Argument && LooksLikeOption(token.Value) && !TakesValue(previousOption))
            {
                unknown.Add(token.Value);
                previousWasUnknown = true;
                continue;
            }

            if (previousWasUnknown && token.Type == TokenType.Argument)
            {
                afterUnknown.Add(token.Value); // most likely the unknown option's value: not reported again as an unexpected argument
            }

            previousWasUnknown = false;

            previousOption = token.Type == TokenType.Option ? options.FirstOrDefault(o => o.Name == token.Value || o.Aliases.Contains(token.Value)) : null;
        }

        foreach (var token in unknown.Distinct(StringComparer.Ordinal))
        {
            var name = token.Split('=', 2)[0];
            var suggestion = Closest(name, options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)));
            messages.Add(suggestion is null
                ? $"unknown option '{name}' for '{CommandPath(command)}'; run '{CommandPath(command)} --help' for its options (write -- before a file name that starts with '-')"
                : $"unknown option '{name}' (did you mean {suggestion}?)");
        }

        // A word where a command was expected.
        var unmatched = parse.UnmatchedTokens.Where(t => !unknown.Contains(t)).ToList();
        var commandMissing = command.Subcommands.Count > 0 && command.Action is null;
        if (commandMissing)
        {
            var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            if (unmatched.Count > 0)
            {
                var word = unmatched[0];
                var suggestion = Closest(word, names);
                messages.Add(suggestion is null
                    ? $"unknown command '{word}'; the commands of '{CommandPath(command)}' are {string.Join(", ", names)}"
                    : $"unknown command '{word}' (did you mean {suggestion}?)");
            }
            else if (unknown.Count == 0)
            {
                messages.Add($"'{CommandPath(command)}' needs a command: {string.Join(", ", names)}");
            }

            return messages;
        }

        // Missing arguments: once, by name.
        var missing = command.Arguments
            .Where(a => !a.Hidden && (parse.GetResult(a)?.Tokens.Count ?? 0) < a.Arity.MinimumNumberOfValues)
            .ToList();
        if (missing.Count > 0)
        {
            var usage = string.Join(' ', command.Arguments.Select(ArgumentUsage));
            messages.Add($"'{CommandPath(command)}' is missing {string.Join(" and ", missing.Select(a => a.Name))}; usage: {CommandPath(command)} {usage} [options]");
        }

        foreach (var word in unmatched.Where(w => !afterUnknown.Contains(w)))
        {
            messages.Add($"unexpected argument '{word}'; usage: {CommandPath(command)} {string.Join(' ', command.Arguments.Select(ArgumentUsage))} [options]".Replace("  [", " [", StringComparison.Ordinal));
        }

        foreach (var error in parse.Errors)
        {
            var optionResult = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
            if (optionResult is not null && optionResult.Tokens.Count > 0 && ValueProblem(optionResult.Option, optionResult.Tokens[^1].Value) is { } problem)
            {
                messages.Add(problem);
                continue;
            }

            if (IsAbout(error, missing) || unmatched.Any(w => error.Message.Contains($"'{w}'", StringComparison.Ordinal)) || unknown.Any(w => error.Message.Contains($"'{w}'", StringComparison.Ordinal)))
            {
                continue;
            }

            messages.Add(WithoutTypeNames(error.Message));
        }

        return messages.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The candidate closest to <paramref name="word"/> (edit distance at most 2, or a prefix), or null.</summary>
    /// <param name="word">What was typed.</param>
    /// <param name="candidates">What exists.</param>
    /// <returns>The suggestion.</returns>
    internal static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var distance = Distance(word.ToLowerInvariant(), candidate);
            var limit = Math.Min(2, Math.Max(1, candidate.TrimStart('-').Length / 3));
            if ((distance <= limit || (word.Length >= 3 && candidate.StartsWith(word, StringComparison.Ordinal))) && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="option"/>, in the user's words, or null.</summary>
    private static string? ValueProblem(Option option, string value)
    {
        if (IsNumber(option))
        {
            return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null
                : value.TrimStart('-').Length > 0 && value.TrimStart('-').All(char.IsAsciiDigit) && value.LastIndexOf('-') <= 0 ? $"{option.Name}: '{value}' is out of range (a whole number from -2147483648 to 2147483647)"
                : $"{option.Name}: '{value}' is not a whole number";
        }

        // Options with a fixed set of values spell it in their help name (text|json).
        if (option.HelpName is { } helpName && helpName.Contains('|', StringComparison.Ordinal) && !string.Equals(helpName.ToUpperInvariant(), helpName, StringComparison.Ordinal))
        {
            var allowed = helpName.Split('|');
            if (allowed.All(a => string.Equals(a.ToLowerInvariant(), a, StringComparison.Ordinal)) && !allowed.Contains(value, StringComparer.Ordinal))
            {
                var suggestion = Closest(value, allowed);
                return $"{option.Name}: '{value}' is not one of {string.Join(", ", allowed)}" + (suggestion is null ? string.Empty : $" (did you mean {suggestion}?)");
            }
        }

        return null;
    }

    private static bool IsAbout(ParseError error, List<Argument> missing) =>
        missing.Count > 0 && (error.SymbolResult is CommandResult || (error.SymbolResult is ArgumentResult a && missing.Contains(a.Argument)));

    private static bool IsNumber(Option option) => option.ValueType == typeof(int) || option.ValueType == typeof(int?);

    private static bool TakesValue(Option? option) => option is not null && option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static List<Option> OptionsInScope(CommandResult commandResult)
    {
        var options = new List<Option>(commandResult.Command.Options);
        for (var parent = commandResult.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            options.AddRange(parent.Command.Options.Where(o => o.Recursive));
        }

        return options;
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (var current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current is RootCommand ? "migcompat" : current.Name);
        }

        return string.Join(' ', names);
    }

    private static string ArgumentUsage(Argument argument) => argument.Arity.MaximumNumberOfValues > 1 ? argument.Name + "..." : argument.Name;

    private static string WithoutTypeNames(string message) => TypeName().Replace(message, match => match.Value.Contains("Int32", StringComparison.Ordinal) ? "a whole number" : match.Value.Contains("Boolean", StringComparison.Ordinal) ? "true or false" : "a valid value");

    /// <summary>Edits (insert, delete, replace, swap two neighbours) that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"'?System\.[A-Za-z0-9_`.\[\], ]+'?")]
    private static partial Regex TypeName();
}
