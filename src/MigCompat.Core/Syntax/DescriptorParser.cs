using System.Collections.Immutable;
using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Model;

namespace MigCompat.Core.Syntax;

/// <summary>
/// Reads the descriptor language (docs/format.md): self <c>name=value</c> lines, an optional
/// <c>SELF:</c> header, any number of <c>COMPATIBLE:</c> blocks with accepted-value templates, a
/// <c>DYNAMIC:</c> section, <c>#</c> comments and indentation. Never throws on bad input: every
/// problem is a <see cref="Diagnostic"/> with line and column.
/// </summary>
public static class DescriptorParser
{
    private enum Section
    {
        Self,
        Compatible,
        Dynamic,
    }

    /// <summary>Parses descriptor text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="fileName">The file name used in diagnostics.</param>
    /// <param name="firstLine">The line number of the text's first line (when it is embedded in a larger file).</param>
    public static ParseResult Parse(string text, string? fileName = null, int firstLine = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = new ParseState(fileName);
        if (text.Length > DescriptorLimits.MaxInputLength)
        {
            state.Error(DiagnosticCodes.InputTooLarge, string.Create(CultureInfo.InvariantCulture, $"the descriptor is {text.Length} characters long; the limit is {DescriptorLimits.MaxInputLength}"), firstLine, 1);
            return state.Finish();
        }

        var section = Section.Self;
        var lineNumber = firstLine - 1;
        var position = text.StartsWith('\uFEFF') ? 1 : 0; // a byte order mark is not content
        while (position <= text.Length)
        {
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline;
            var line = text[position..end];
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            lineNumber++;
            position = end + 1;
            ParseLine(state, line, lineNumber, ref section);
            if (newline < 0)
            {
                break;
            }
        }

        return state.Finish();
    }

    /// <summary>
    /// Builds a descriptor from fields, as an inventory carries them: self values are concrete text
    /// (taken as written, never unquoted); compatible values are in the language's value syntax
    /// (bare templates or quoted literals). Diagnostics name <paramref name="origin"/> and the field.
    /// </summary>
    public static ParseResult FromFields(
        IEnumerable<KeyValuePair<string, string>> self,
        IEnumerable<IEnumerable<KeyValuePair<string, string>>> compatible,
        IEnumerable<string> dynamicResources,
        string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(compatible);
        ArgumentNullException.ThrowIfNull(dynamicResources);
        var state = new ParseState(origin);
        var index = 0;
        foreach (var (name, value) in self)
        {
            index++;
            if (CheckName(state, name, index, 1) && CheckValueText(state, name, value, index))
            {
                state.AddSelf(name, value, new SourcePosition(origin, index, 1));
            }
        }

        foreach (var block in compatible)
        {
            state.StartBlock(new SourcePosition(origin, index + 1, 1));
            foreach (var (name, value) in block)
            {
                index++;
                state.NoteBlockLine();
                if (!CheckName(state, name, index, 1) || !CheckValueText(state, name, value, index))
                {
                    continue;
                }

                var line = name + "=" + value;
                if (!ValueLexer.TryRead(line, name.Length + 1, out var lexed, out var error) || !state.AddAccept(name, lexed, index, 0, out error))
                {
                    state.Error(error.Code, $"field '{name}': {error.Message}", index, error.Index + 1);
                }
            }
        }

        foreach (var name in dynamicResources)
        {
            index++;
            if (CheckName(state, name, index, 1))
            {
                state.AddDynamic(name, index, 1);
            }
        }

        return state.Finish();
    }

    private static bool CheckValueText(ParseState state, string name, string value, int line)
    {
        if (value.Length > DescriptorLimits.MaxLineLength)
        {
            state.Error(DiagnosticCodes.LineTooLong, string.Create(CultureInfo.InvariantCulture, $"the value of '{name}' is {value.Length} characters long; the limit is {DescriptorLimits.MaxLineLength}"), line, 1);
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]) && value[i] != '\t')
            {
                state.Error(DiagnosticCodes.ControlCharacter, $"the value of '{name}' contains the control character U+{(int)value[i]:X4}", line, i + 1);
                return false;
            }
        }

        return true;
    }

    private static void ParseLine(ParseState state, string line, int lineNumber, ref Section section)
    {
        if (line.Length > DescriptorLimits.MaxLineLength)
        {
            state.Error(DiagnosticCodes.LineTooLong, string.Create(CultureInfo.InvariantCulture, $"the line is {line.Length} characters long; the limit is {DescriptorLimits.MaxLineLength}"), lineNumber, DescriptorLimits.MaxLineLength + 1);
            return;
        }

        for (var c = 0; c < line.Length; c++)
        {
            if (char.IsControl(line[c]) && line[c] != '\t')
            {
                state.Error(DiagnosticCodes.ControlCharacter, $"the control character U+{(int)line[c]:X4} is not allowed; descriptors are text", lineNumber, c + 1);
                return;
            }
        }

        var i = 0;
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        if (i == line.Length || line[i] == '#')
        {
            return;
        }

        if (TryReadHeader(line, i, out var header))
        {
            HandleHeader(state, header, lineNumber, i + 1, ref section);
            return;
        }

        if (section == Section.Dynamic)
        {
            ParseDynamicLine(state, line, i, lineNumber);
            return;
        }

        var nameStart = i;
        while (i < line.Length && IsNameChar(line[i]))
        {
            i++;
        }

        var name = line[nameStart..i];
        if (name.Length == 0)
        {
            state.Error(DiagnosticCodes.InvalidFieldName, $"a field name cannot start with '{line[i]}'; write name=value with letters, digits, '_', '.' or '-'", lineNumber, i + 1);
            return;
        }

        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        if (i >= line.Length || line[i] != '=')
        {
            if (i < line.Length && line[i] == ':')
            {
                state.Error(DiagnosticCodes.ExpectedFieldLine, $"expected '=' after '{name}', found ':'; fields are written name=value (section headers are SELF:, COMPATIBLE:, DYNAMIC: on a line of their own)", lineNumber, i + 1);
            }
            else if (i < line.Length && !IsNameChar(line[i]) && line[i] is not (' ' or '\t'))
            {
                state.Error(DiagnosticCodes.InvalidFieldName, $"'{line[i]}' is not allowed in a field name; use letters, digits, '_', '.' or '-'", lineNumber, i + 1);
            }
            else
            {
                state.Error(DiagnosticCodes.ExpectedFieldLine, $"expected name=value, found '{Shorten(line[nameStart..])}'", lineNumber, i + 1);
            }

            return;
        }

        if (section == Section.Compatible)
        {
            state.NoteBlockLine();
        }

        if (!CheckName(state, name, lineNumber, nameStart + 1))
        {
            return;
        }

        if (!ValueLexer.TryRead(line, i + 1, out var value, out var error))
        {
            state.Error(error.Code, error.Message, lineNumber, error.Index + 1);
            return;
        }

        if (section == Section.Self)
        {
            if (!value.Quoted && value.Text.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                state.Error(DiagnosticCodes.TemplateInSelf, $"'{name}' has a template, but SELF values are concrete; move it below COMPATIBLE:, or quote the value if the braces are literal", lineNumber, value.Start + 1);
                return;
            }

            state.AddSelf(name, value.Text, new SourcePosition(state.File, lineNumber, nameStart + 1));
        }
        else if (!state.AddAccept(name, value, lineNumber, nameStart, out error))
        {
            state.Error(error.Code, error.Message, lineNumber, error.Index + 1);
        }
    }

    private static void HandleHeader(ParseState state, string header, int lineNumber, int column, ref Section section)
    {
        switch (header)
        {
            case "SELF":
                if (state.HasBlocks || state.SelfCount > 0 || section != Section.Self || state.SawSelfHeader)
                {
                    state.Error(DiagnosticCodes.MisplacedSelf, "SELF: must be the first line with content, before any field or COMPATIBLE: block", lineNumber, column);
                }

                state.SawSelfHeader = true;
                section = Section.Self;
                break;
            case "COMPATIBLE":
                state.StartBlock(new SourcePosition(state.File, lineNumber, column));
                section = Section.Compatible;
                break;
            case "DYNAMIC":
                section = Section.Dynamic;
                break;
            default:
                var known = new[] { "SELF", "COMPATIBLE", "DYNAMIC" }.FirstOrDefault(k => string.Equals(k, header, StringComparison.OrdinalIgnoreCase));
                state.Error(
                    DiagnosticCodes.UnknownSection,
                    known is not null
                        ? $"section headers are upper case: write {known}:"
                        : $"unknown section '{header}:'; the sections are SELF:, COMPATIBLE: and DYNAMIC:",
                    lineNumber,
                    column);
                break;
        }
    }

    private static void ParseDynamicLine(ParseState state, string line, int start, int lineNumber)
    {
        var i = start;
        while (i < line.Length && line[i] != '#')
        {
            if (line[i] is ' ' or '\t' or ',')
            {
                i++;
                continue;
            }

            var nameStart = i;
            while (i < line.Length && line[i] is not (' ' or '\t' or ',' or '#'))
            {
                i++;
            }

            var name = line[nameStart..i];
            if (CheckName(state, name, lineNumber, nameStart + 1))
            {
                state.AddDynamic(name, lineNumber, nameStart + 1);
            }
        }
    }

    private static bool TryReadHeader(string line, int start, out string header)
    {
        header = string.Empty;
        var i = start;
        while (i < line.Length && char.IsAsciiLetter(line[i]))
        {
            i++;
        }

        if (i == start || i >= line.Length || line[i] != ':')
        {
            return false;
        }

        var rest = line.AsSpan(i + 1).TrimStart(" \t");
        if (!rest.IsEmpty && rest[0] != '#')
        {
            return false;
        }

        header = line[start..i];
        return true;
    }

    private static bool CheckName(ParseState state, string name, int line, int column)
    {
        if (name.Length == 0)
        {
            state.Error(DiagnosticCodes.InvalidFieldName, "a field name cannot be empty", line, column);
            return false;
        }

        if (name.Length > DescriptorLimits.MaxNameLength)
        {
            state.Error(DiagnosticCodes.InvalidFieldName, string.Create(CultureInfo.InvariantCulture, $"a field name is at most {DescriptorLimits.MaxNameLength} characters long"), line, column);
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (!IsNameChar(name[i]) || (i == 0 && name[i] is '.' or '-'))
            {
                state.Error(DiagnosticCodes.InvalidFieldName, $"'{name[i]}' is not allowed {(i == 0 ? "at the start of" : "in")} the field name '{Shorten(name)}'; use letters, digits, '_', '.' or '-'", line, column + i);
                return false;
            }
        }

        return true;
    }

    /// <summary>True for the characters of a field name: ASCII letters, digits, <c>_</c>, <c>.</c>, <c>-</c>.</summary>
    internal static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>The accumulating result of a parse.</summary>
    private sealed class ParseState(string? file)
    {
        private readonly List<Diagnostic> diagnostics = [];
        private readonly List<SelfField> self = [];
        private readonly List<(SourcePosition Position, List<AcceptField> Fields)> blocks = [];
        private readonly List<(string Name, SourcePosition Position)> dynamic = [];
        private readonly HashSet<int> blocksWithLines = [];
        private bool tooMany;

        public string? File { get; } = file;

        public bool SawSelfHeader { get; set; }

        public bool HasBlocks => blocks.Count > 0;

        public int SelfCount => self.Count;

        public void Error(string code, string message, int line, int column) =>
            diagnostics.Add(Diagnostic.Error(code, message, File, line, column));

        public void AddSelf(string name, string text, SourcePosition position)
        {
            if (self.Exists(f => f.Name == name))
            {
                Error(DiagnosticCodes.DuplicateField, $"'{name}' is already given in SELF; each field appears once per section", position.Line, position.Column);
                return;
            }

            if (self.Count >= DescriptorLimits.MaxFieldsPerSection)
            {
                TooMany($"SELF has more than {DescriptorLimits.MaxFieldsPerSection} fields", position);
                return;
            }

            self.Add(new SelfField(name, FieldValue.Create(name, text), position));
        }

        public void StartBlock(SourcePosition position)
        {
            if (blocks.Count >= DescriptorLimits.MaxBlocks)
            {
                TooMany($"there are more than {DescriptorLimits.MaxBlocks} COMPATIBLE blocks", position);
            }

            blocks.Add((position, []));
        }

        /// <summary>Notes that the current block has a field line (even one with an error), so it is not reported as empty.</summary>
        public void NoteBlockLine() => blocksWithLines.Add(blocks.Count - 1);

        public bool AddAccept(string name, ValueLexer.LexedValue value, int lineNumber, int nameIndex, out SyntaxError error)
        {
            error = default;
            ValuePattern pattern;
            if (value.Quoted)
            {
                pattern = ValuePattern.Literal(value.Text);
            }
            else if (!TemplateParser.TryParse(value.Text, value.Start, out pattern, out error))
            {
                return false;
            }

            var fields = blocks[^1].Fields;
            var position = new SourcePosition(File, lineNumber, nameIndex + 1);
            if (fields.Exists(f => f.Name == name))
            {
                error = new SyntaxError(DiagnosticCodes.DuplicateField, $"'{name}' is already given in this COMPATIBLE block; list alternatives as values ({{v:string:\"a\",\"b\"}}) or in another block", nameIndex);
                return false;
            }

            if (fields.Count >= DescriptorLimits.MaxFieldsPerSection)
            {
                TooMany($"a COMPATIBLE block has more than {DescriptorLimits.MaxFieldsPerSection} fields", position);
                return true;
            }

            fields.Add(new AcceptField(name, pattern, position));
            return true;
        }

        public void AddDynamic(string name, int line, int column)
        {
            if (dynamic.Exists(d => d.Name == name))
            {
                Error(DiagnosticCodes.DuplicateField, $"'{name}' is already listed in DYNAMIC", line, column);
                return;
            }

            dynamic.Add((name, new SourcePosition(File, line, column)));
        }

        public ParseResult Finish()
        {
            var descriptor = new Descriptor(
                [.. self],
                [.. blocks.Select(b => new CompatibleBlock([.. b.Fields], b.Position))],
                [.. dynamic.Select(d => d.Name)]);
            for (var b = 0; b < blocks.Count; b++)
            {
                if (blocks[b].Fields.Count == 0 && !blocksWithLines.Contains(b))
                {
                    var position = blocks[b].Position;
                    Error(DiagnosticCodes.EmptyBlock, "this COMPATIBLE block has no fields, so it would accept any device of the same type; list the fields it requires", position.Line, position.Column);
                }
            }

            DescriptorChecks.Run(descriptor, dynamic, File, diagnostics);
            var ordered = diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToImmutableArray();
            return new ParseResult(ordered.Any(d => d.IsError) ? null : descriptor, ordered);
        }

        private void TooMany(string message, SourcePosition position)
        {
            if (!tooMany)
            {
                tooMany = true;
                Error(DiagnosticCodes.TooMany, message, position.Line, position.Column);
            }
        }
    }
}
