using MigCompat.Core.Model;
using MigCompat.Core.Syntax;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Matching;

/// <summary>
/// A target descriptor prepared once for many checks: its device API and type looked up, each
/// COMPATIBLE block's fields put in evaluation order and its variables given slots. Immutable and
/// safe to share between threads.
/// </summary>
public sealed class CompiledTarget
{
    private CompiledTarget(Descriptor descriptor, CompiledBlock[] blocks)
    {
        Descriptor = descriptor;
        Blocks = blocks;
        DeviceApi = descriptor.SelfText(Descriptor.DeviceApiField);
        MdevType = descriptor.SelfText(Descriptor.MdevTypeField);
        Rules = DescriptorFacts.Rules(descriptor);
        if (Rules is not null)
        {
            foreach (var rule in Rules.Values)
            {
                if (rule.ReadsAcceptedValues && rule.Argument is { } argument)
                {
                    (AcceptFields ??= new HashSet<string>(StringComparer.Ordinal)).Add(argument);
                }
            }
        }

        DeclaredEvidence = DescriptorFacts.DeclaredEvidence(descriptor);
        Capability = DescriptorFacts.Capability(descriptor);
        Driver = DescriptorFacts.Driver(descriptor);
    }

    /// <summary>The rules the target states in <c>rule.</c> fields, by field; null when none.</summary>
    public IReadOnlyDictionary<string, ComparisonRule>? Rules { get; }

    /// <summary>What vouches for the target's rules by itself (a declaration, pack, profile or driver); null when only identical builds could.</summary>
    public Evidence? DeclaredEvidence { get; }

    /// <summary>Whether the target's driver can load device state at all.</summary>
    public MigrationCapability Capability { get; }

    /// <summary>The target's driver (its <c>driver</c> field or the prefix of its mdev type), or null.</summary>
    public string? Driver { get; }

    /// <summary>Target fields that hold what a <c>within</c> or <c>superset</c> rule accepts: they describe the target's acceptance, so they are not compared themselves.</summary>
    internal HashSet<string>? AcceptFields { get; }

    /// <summary>The rule that compares <paramref name="field"/>: the target's stated rule, else the built-in one.</summary>
    public ComparisonRule RuleFor(string field) =>
        Rules is not null && Rules.TryGetValue(field, out var rule) ? rule : ComparisonRule.Builtin(field);

    /// <summary>True when <paramref name="field"/> holds what a <c>within</c> or <c>superset</c> rule accepts.</summary>
    internal bool IsAcceptField(string field) => AcceptFields is not null && AcceptFields.Contains(field);

    /// <summary>The target descriptor.</summary>
    public Descriptor Descriptor { get; }

    /// <summary>The target's device API, or null.</summary>
    public string? DeviceApi { get; }

    /// <summary>The target's mdev type, or null.</summary>
    public string? MdevType { get; }

    internal CompiledBlock[] Blocks { get; }

    /// <summary>Prepares <paramref name="target"/> for checking.</summary>
    public static CompiledTarget Compile(Descriptor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var blocks = new CompiledBlock[target.Compatible.Length];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = CompiledBlock.Create(target.Compatible[i], target);
        }

        return new CompiledTarget(target, blocks);
    }
}

/// <summary>One COMPATIBLE block in evaluation order, with variable slots.</summary>
internal sealed class CompiledBlock
{
    private CompiledBlock(CompiledField[] fields, string[] variables, string[] declaredBy, string? problem, CompiledBlock? typeBlock, bool typeDependsOnOtherFields)
    {
        TypeBlock = typeBlock;
        TypeDependsOnOtherFields = typeDependsOnOtherFields;
        Fields = fields;
        Variables = variables;
        DeclaredBy = declaredBy;
        Problem = problem;
        Covered = new HashSet<string>(fields.Select(f => f.Name), StringComparer.Ordinal);
    }

    /// <summary>The names of the fields the block matches; the default rule applies to the others.</summary>
    public HashSet<string> Covered { get; }

    /// <summary>The fields that are matched (dynamic resources excluded), in evaluation order.</summary>
    public CompiledField[] Fields { get; }

    /// <summary>Variable names by slot.</summary>
    public string[] Variables { get; }

    /// <summary>The field that declares each slot's variable.</summary>
    public string[] DeclaredBy { get; }

    /// <summary>Why the block can never accept (a cycle), or null.</summary>
    public string? Problem { get; }

    /// <summary>The block's <c>mdev_type</c> field alone, to test whether a type is acceptable at all; null when the block has none.</summary>
    public CompiledBlock? TypeBlock { get; }

    /// <summary>True when the <c>mdev_type</c> pattern refers to variables other fields declare.</summary>
    public bool TypeDependsOnOtherFields { get; }

    /// <summary>True when the block matches field <paramref name="name"/> (so the default rule does not apply to it).</summary>
    public bool Covers(string name)
    {
        if (Fields.Length > 8)
        {
            return Covered.Contains(name);
        }

        foreach (var field in Fields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The slot of a variable, or -1.</summary>
    public int Slot(string name) => Array.IndexOf(Variables, name);

    public static CompiledBlock Create(CompatibleBlock block, Descriptor target)
    {
        CompiledBlock? typeBlock = null;
        var dependsOnOthers = false;
        if (block.Find(Descriptor.MdevTypeField) is { } typeField)
        {
            var alone = new CompatibleBlock([typeField], block.Position);
            typeBlock = Build(alone, target, null, false);
            var own = typeField.Pattern.Declarations.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            dependsOnOthers = typeField.Pattern.References.Any(r => !own.Contains(r));
        }

        return Build(block, target, typeBlock, dependsOnOthers);
    }

    private static CompiledBlock Build(CompatibleBlock block, Descriptor target, CompiledBlock? typeBlock, bool dependsOnOthers)
    {
        string? problem = null;
        if (!BlockOrdering.TryOrder(block, out var order, out var stuck))
        {
            problem = $"the variable '{stuck}' cannot be bound before it is used";
            order = Enumerable.Range(0, block.Fields.Length).ToArray();
        }

        var variables = new List<string>();
        var declaredBy = new List<string>();
        foreach (var index in order)
        {
            foreach (var declaration in block.Fields[index].Pattern.Declarations)
            {
                if (!variables.Contains(declaration.Name))
                {
                    variables.Add(declaration.Name);
                    declaredBy.Add(block.Fields[index].Name);
                }
            }
        }

        var slotNames = variables.ToArray();
        var fields = order
            .Select(i => block.Fields[i])
            .Where(f => !target.IsDynamic(f.Name))
            .Select(f => CompiledField.Create(f, slotNames))
            .ToArray();
        return new CompiledBlock(fields, slotNames, [.. declaredBy], problem, typeBlock, dependsOnOthers);
    }
}

/// <summary>One accepted-values field with its segments resolved to slots.</summary>
internal sealed class CompiledField
{
    private CompiledField(AcceptField field, CompiledSegment[] segments, int arithmeticSlot, string? literalComparable, string[]? wholeValueStrings, int wholeValueSlot)
    {
        Field = field;
        Segments = segments;
        ArithmeticSlot = arithmeticSlot;
        LiteralComparable = literalComparable;
        WholeValueStrings = wholeValueStrings;
        WholeValueSlot = wholeValueSlot;
        IsVersion = DeviceVersion.IsVersionFieldName(field.Name);
        IsMdevType = field.Name == Descriptor.MdevTypeField;
    }

    public AcceptField Field { get; }

    public string Name => Field.Name;

    public ValuePattern Pattern => Field.Pattern;

    public CompiledSegment[] Segments { get; }

    /// <summary>The slot of the arithmetic variable, or -1 when the pattern is not arithmetic.</summary>
    public int ArithmeticSlot { get; }

    /// <summary>For a literal pattern: its comparable text (feature sets sorted).</summary>
    public string? LiteralComparable { get; }

    /// <summary>For a pattern that is one string declaration: its values' comparable texts (empty array = any).</summary>
    public string[]? WholeValueStrings { get; }

    /// <summary>The slot of that whole-value declaration.</summary>
    public int WholeValueSlot { get; }

    public bool IsVersion { get; }

    public bool IsMdevType { get; }

    public static CompiledField Create(AcceptField field, string[] slots)
    {
        var pattern = field.Pattern;
        if (pattern.Arithmetic is { } arithmetic)
        {
            return new CompiledField(field, [], Array.IndexOf(slots, arithmetic.Name), null, null, -1);
        }

        if (pattern.LiteralText is { } literal)
        {
            return new CompiledField(field, [], -1, FieldValue.ComparableText(literal), null, -1);
        }

        if (pattern.Segments is [DeclarationSegment { Type: VariableType.String } whole])
        {
            var values = whole.StringValues.IsDefaultOrEmpty ? [] : whole.StringValues.Select(FieldValue.ComparableText).ToArray();
            return new CompiledField(field, [], -1, null, values, Array.IndexOf(slots, whole.Name));
        }

        var segments = pattern.Segments.Select(s => s switch
        {
            LiteralSegment l => new CompiledSegment(SegmentKind.Literal, l.Text, -1, null),
            ReferenceSegment r => new CompiledSegment(SegmentKind.Reference, null, Array.IndexOf(slots, r.Name), null),
            DeclarationSegment d => new CompiledSegment(d.Type == VariableType.Int ? SegmentKind.IntDeclaration : SegmentKind.StringDeclaration, null, Array.IndexOf(slots, d.Name), d),
            _ => throw new InvalidOperationException("unknown segment"),
        }).ToArray();
        return new CompiledField(field, segments, -1, null, null, -1);
    }
}

/// <summary>The kind of a compiled segment.</summary>
internal enum SegmentKind
{
    Literal,
    Reference,
    IntDeclaration,
    StringDeclaration,
}

/// <summary>A segment with its variable slot.</summary>
internal sealed record CompiledSegment(SegmentKind Kind, string? Literal, int Slot, DeclarationSegment? Declaration);
