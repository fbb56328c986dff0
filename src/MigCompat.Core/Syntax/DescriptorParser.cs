using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
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
    /// <param name="requireFields">
    /// True when the text is a descriptor of its own (a file the user gave): no field at all, neither
    /// SELF nor COMPATIBLE, is then the error <c>MC1023</c>. False (the default) for a descriptor
    /// section of a larger file, which may be empty (a rule pack's or profile's <c>[descriptor]</c>).
    /// </param>
    public static ParseResult Parse(string text, string? fileName = null, int firstLine = 1, bool requireFields = false)
    {
        var result = ParseText(text, fileName, firstLine);
        if (requireFields && result.Descriptor is { Self.IsEmpty: true, Compatible.IsEmpty: true })
        {
            var empty = Diagnostic.Error(
                DiagnosticCodes.EmptyDescriptor,
                "the descriptor has no fields; state at least what the device is, e.g. device_api=vfio-pci and mdev_type=... (an empty file, or only comments, describes no device)",
                fileName,
                firstLine,
                1);
            return new ParseResult(null, [empty, .. result.Diagnostics]);
        }

        return result;
    }

    private static ParseResult ParseText(string text, string? fileName, int firstLine)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = ParseState.Rent(fileName);
        if (text.Length > DescriptorLimits.MaxInputLength)
        {
            state.Error(DiagnosticCodes.InputTooLarge, string.Create(CultureInfo.InvariantCulture, $"the descriptor is {text.Length} characters long; the limit is {DescriptorLimits.MaxInputLength}"), firstLine, 1);
            return state.Finish();
        }

        var section = Section.Self;
        var lineNumber = firstLine - 1;
        var all = text.AsSpan();
        var position = text.StartsWith('\uFEFF') ? 1 : 0; // a byte order mark is not content
        while (true)
        {
            // One scan finds the line end and tells whether the line is plain printable ASCII (the
            // common case): then it has no control character, no tab and no CR to look at again.
            var rest = all[position..];
            var special = rest.IndexOfAnyExceptInRange(' ', '~');
            int newline;
            bool plain;
            if (special < 0 || rest[special] == '\n')
            {
                newline = special;
                plain = true;
            }
            else
            {
                newline = rest[special..].IndexOf('\n');
                newline = newline < 0 ? -1 : special + newline;
                plain = false;
            }

            var line = newline < 0 ? rest : rest[..newline];
            if (!plain && line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            lineNumber++;
            ParseLine(state, line, lineNumber, plain, ref section);
            if (newline < 0)
            {
                break;
            }

            position += newline + 1;
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
        var state = ParseState.Rent(origin);
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
                if (!ValueLexer.TryRead(line, name.Length + 1, out var lexed, out var error) || !state.AddAccept(name, line, lexed, index, 0, out error))
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

    private static void ParseLine(ParseState state, ReadOnlySpan<char> line, int lineNumber, bool plain, ref Section section)
    {
        if (line.Length > DescriptorLimits.MaxLineLength)
        {
            state.Error(DiagnosticCodes.LineTooLong, string.Create(CultureInfo.InvariantCulture, $"the line is {line.Length} characters long; the limit is {DescriptorLimits.MaxLineLength}"), lineNumber, DescriptorLimits.MaxLineLength + 1);
            return;
        }

        var control = plain ? -1 : line.IndexOfAny(ControlCharacters);
        if (control >= 0)
        {
            state.Error(DiagnosticCodes.ControlCharacter, $"the control character U+{(int)line[control]:X4} is not allowed; descriptors are text", lineNumber, control + 1);
            return;
        }

        var i = line.IndexOfAnyExcept(' ', '\t');
        if (i < 0 || line[i] == '#')
        {
            return;
        }

        // The name (or header word) runs to the first character that cannot be part of a name.
        var nameStart = i;
        var nameLength = line[i..].IndexOfAnyExcept(NameCharacters);
        i = nameLength < 0 ? line.Length : i + nameLength;
        var nameSpan = line[nameStart..i];

        // A header is ASCII letters and ':', then nothing but blanks or a comment.
        if (i < line.Length && line[i] == ':' && IsHeader(line, nameSpan, i))
        {
            HandleHeader(state, nameSpan, lineNumber, nameStart + 1, ref section);
            return;
        }

        if (section == Section.Dynamic)
        {
            ParseDynamicLine(state, line, nameStart, lineNumber);
            return;
        }

        if (nameSpan.Length == 0)
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
            var name = nameSpan.ToString();
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

        // The name holds only name characters (scanned above); only its length and first character remain to check.
        if ((nameSpan.Length > DescriptorLimits.MaxNameLength || nameSpan[0] is '.' or '-') && !CheckName(state, nameSpan, lineNumber, nameStart + 1))
        {
            return;
        }

        if (!ValueLexer.TryRead(line, i + 1, out var value, out var error))
        {
            state.Error(error.Code, error.Message, lineNumber, error.Index + 1);
            return;
        }

        var fieldName = StringPool.Get(nameSpan);
        if (section == Section.Self)
        {
            if (value.HasBraces)
            {
                state.Error(DiagnosticCodes.TemplateInSelf, $"'{fieldName}' has a template, but SELF values are concrete; move it below COMPATIBLE:, or quote the value if the braces are literal", lineNumber, value.Start + 1);
                return;
            }

            state.AddSelf(fieldName, value.Text, new SourcePosition(state.File, lineNumber, nameStart + 1));
        }
        else if (!state.AddAccept(fieldName, line, value, lineNumber, nameStart, out error))
        {
            state.Error(error.Code, error.Message, lineNumber, error.Index + 1);
        }
    }

    private static void HandleHeader(ParseState state, ReadOnlySpan<char> header, int lineNumber, int column, ref Section section)
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
                var known = FindSectionIgnoringCase(header);
                state.Error(
                    DiagnosticCodes.UnknownSection,
                    known is not null
                        ? $"section headers are upper case: write {known}:"
                        : $"unknown section '{header.ToString()}:'; the sections are SELF:, COMPATIBLE: and DYNAMIC:",
                    lineNumber,
                    column);
                break;
        }
    }

    private static string? FindSectionIgnoringCase(ReadOnlySpan<char> header)
    {
        foreach (var known in SectionNames)
        {
            if (header.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    private static void ParseDynamicLine(ParseState state, ReadOnlySpan<char> line, int start, int lineNumber)
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
                state.AddDynamic(StringPool.Get(name), lineNumber, nameStart + 1);
            }
        }
    }

    /// <summary>True when <paramref name="word"/> (ending at the ':' at <paramref name="colon"/>) is all ASCII letters and only blanks or a comment follow.</summary>
    private static bool IsHeader(ReadOnlySpan<char> line, ReadOnlySpan<char> word, int colon)
    {
        if (word.IsEmpty || word.ContainsAnyExcept(AsciiLetters))
        {
            return false;
        }

        var rest = line[(colon + 1)..].TrimStart(" \t");
        return rest.IsEmpty || rest[0] == '#';
    }

    private static bool CheckName(ParseState state, ReadOnlySpan<char> name, int line, int column)
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

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");

    /// <summary>The section names, for a hint when a header is written in the wrong case.</summary>
    private static readonly string[] SectionNames = ["SELF", "COMPATIBLE", "DYNAMIC"];

    /// <summary>The characters <see cref="char.IsControl(char)"/> accepts, except tab.</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(BuildControlCharacters());

    /// <summary>The ASCII letters (a section header word).</summary>
    private static readonly SearchValues<char> AsciiLetters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>The characters of a field name.</summary>
    private static readonly SearchValues<char> NameCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

    private static string BuildControlCharacters()
    {
        var builder = new System.Text.StringBuilder();
        for (var c = '\0'; c <= '\u009F'; c++)
        {
            if (char.IsControl(c) && c != '\t')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The accumulating result of a parse.</summary>
    private sealed class ParseState
    {
        /// <summary>Lists longer than this are not kept for reuse (hostile input must not pin memory).</summary>
        private const int MaxPooledCount = 256;

        [ThreadStatic]
        private static ParseState? cached;

        private readonly List<Diagnostic> diagnostics = [];
        private readonly List<SelfField> self = [];
        private readonly List<BlockBuilder> blocks = [];
        private readonly List<BlockBuilder> spareBlocks = [];
        private readonly List<(string Name, SourcePosition Position)> dynamic = [];
        private bool tooMany;
        private bool hasError;

        private ParseState()
        {
        }

        public string? File { get; private set; }

        /// <summary>This thread's spare state (or a new one), ready for a parse of <paramref name="file"/>.</summary>
        public static ParseState Rent(string? file)
        {
            var state = cached ?? new ParseState();
            cached = null;
            state.File = file;
            return state;
        }

        public bool SawSelfHeader { get; set; }

        public bool HasBlocks => blocks.Count > 0;

        public int SelfCount => self.Count;

        public void Error(string code, string message, int line, int column)
        {
            hasError = true;
            diagnostics.Add(Diagnostic.Error(code, message, File, line, column));
        }

        public void AddSelf(string name, string text, SourcePosition position)
        {
            foreach (var field in self)
            {
                if (string.Equals(field.Name, name, StringComparison.Ordinal))
                {
                    Error(DiagnosticCodes.DuplicateField, $"'{name}' is already given in SELF; each field appears once per section", position.Line, position.Column);
                    return;
                }
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

            BlockBuilder block;
            if (spareBlocks.Count > 0)
            {
                block = spareBlocks[^1];
                spareBlocks.RemoveAt(spareBlocks.Count - 1);
                block.Reset(position);
            }
            else
            {
                block = new BlockBuilder(position);
            }

            blocks.Add(block);
        }

        /// <summary>Notes that the current block has a field line (even one with an error), so it is not reported as empty.</summary>
        public void NoteBlockLine()
        {
            if (blocks.Count > 0)
            {
                blocks[^1].HasLines = true;
            }
        }

        public bool AddAccept(string name, ReadOnlySpan<char> line, ValueLexer.LexedValue value, int lineNumber, int nameIndex, out SyntaxError error)
        {
            error = default;
            ValuePattern pattern;
            if (value.Quoted || !value.HasBraces)
            {
                // A quoted value, or bare text without a placeholder: a plain literal.
                pattern = ValuePattern.Literal(value.Text);
            }
            else if (!TemplateParser.TryParse(line.Slice(value.Start, value.Length), value.Start, out pattern, out error))
            {
                return false;
            }

            var fields = blocks[^1].Fields;
            var position = new SourcePosition(File, lineNumber, nameIndex + 1);
            foreach (var field in fields)
            {
                if (string.Equals(field.Name, name, StringComparison.Ordinal))
                {
                    error = new SyntaxError(DiagnosticCodes.DuplicateField, $"'{name}' is already given in this COMPATIBLE block; list alternatives as values ({{v:string:\"a\",\"b\"}}) or in another block", nameIndex);
                    return false;
                }
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
            foreach (var entry in dynamic)
            {
                if (string.Equals(entry.Name, name, StringComparison.Ordinal))
                {
                    Error(DiagnosticCodes.DuplicateField, $"'{name}' is already listed in DYNAMIC", line, column);
                    return;
                }
            }

            dynamic.Add((name, new SourcePosition(File, line, column)));
        }

        public ParseResult Finish()
        {
            ImmutableArray<CompatibleBlock> compatible = [];
            if (blocks.Count > 0)
            {
                var built = new CompatibleBlock[blocks.Count];
                for (var b = 0; b < built.Length; b++)
                {
                    built[b] = new CompatibleBlock(ImmutableCollectionsMarshal.AsImmutableArray(blocks[b].Fields.ToArray()), blocks[b].Position);
                }

                compatible = ImmutableCollectionsMarshal.AsImmutableArray(built);
            }

            ImmutableArray<string> dynamicNames = [];
            if (dynamic.Count > 0)
            {
                var names = new string[dynamic.Count];
                for (var d = 0; d < names.Length; d++)
                {
                    names[d] = dynamic[d].Name;
                }

                dynamicNames = ImmutableCollectionsMarshal.AsImmutableArray(names);
            }

            var descriptor = new Descriptor(ImmutableCollectionsMarshal.AsImmutableArray(self.ToArray()), compatible, dynamicNames);
            foreach (var block in blocks)
            {
                if (block.Fields.Count == 0 && !block.HasLines)
                {
                    Error(DiagnosticCodes.EmptyBlock, "this COMPATIBLE block has no fields, so it would accept any device of the same type; list the fields it requires", block.Position.Line, block.Position.Column);
                }
            }

            DescriptorChecks.Run(descriptor, dynamic, File, diagnostics);
            if (diagnostics.Count == 0)
            {
                Return();
                return new ParseResult(descriptor, []);
            }

            var ordered = diagnostics.ToArray();
            var errors = hasError;
            Return();
            SortByPosition(ref ordered);
            if (!errors)
            {
                foreach (var diagnostic in ordered)
                {
                    errors |= diagnostic.IsError;
                }
            }

            return new ParseResult(errors ? null : descriptor, ImmutableCollectionsMarshal.AsImmutableArray(ordered));
        }

        /// <summary>Clears this state and keeps it as the thread's spare, unless it grew large.</summary>
        private void Return()
        {
            var large = diagnostics.Count > MaxPooledCount || self.Count > MaxPooledCount || blocks.Count > 8 || dynamic.Count > MaxPooledCount;
            foreach (var block in blocks)
            {
                large |= block.Fields.Count > MaxPooledCount;
                block.Fields.Clear();
                spareBlocks.Add(block);
            }

            diagnostics.Clear();
            self.Clear();
            blocks.Clear();
            dynamic.Clear();
            tooMany = false;
            hasError = false;
            SawSelfHeader = false;
            File = null;
            if (!large)
            {
                cached = this;
            }
        }

        /// <summary>A stable sort by line, then column (input order among equals).</summary>
        private static void SortByPosition(ref Diagnostic[] items)
        {
            var sorted = true;
            for (var i = 1; i < items.Length && sorted; i++)
            {
                sorted = Compare(items[i - 1], items[i]) <= 0;
            }

            if (sorted)
            {
                return;
            }

            if (items.Length > 64)
            {
                items = [.. items.OrderBy(d => d.Line).ThenBy(d => d.Column)];
                return;
            }

            for (var i = 1; i < items.Length; i++)
            {
                var item = items[i];
                var j = i - 1;
                while (j >= 0 && Compare(items[j], item) > 0)
                {
                    items[j + 1] = items[j];
                    j--;
                }

                items[j + 1] = item;
            }
        }

        private static int Compare(Diagnostic a, Diagnostic b) =>
            a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column);

        private void TooMany(string message, SourcePosition position)
        {
            if (!tooMany)
            {
                tooMany = true;
                Error(DiagnosticCodes.TooMany, message, position.Line, position.Column);
            }
        }
    }

    /// <summary>A COMPATIBLE block being read.</summary>
    private sealed class BlockBuilder(SourcePosition position)
    {
        public SourcePosition Position { get; private set; } = position;

        public List<AcceptField> Fields { get; } = [];

        /// <summary>True when the block has a field line (even one with an error).</summary>
        public bool HasLines { get; set; }

        /// <summary>Prepares a spare builder for a new block.</summary>
        public void Reset(SourcePosition position)
        {
            Position = position;
            HasLines = false;
            Fields.Clear();
        }
    }
}
