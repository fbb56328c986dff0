using System.Globalization;
using MigCompat.Core.Diagnostics;
using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using MigCompat.Core.Versioning;

namespace MigCompat.Core.Syntax;

/// <summary>
/// The checks that need the whole descriptor: template variables (declared once, referenced only
/// when declared, no cycles, arithmetic on ints) as errors, and the traps the upstream reviewers
/// named as warnings.
/// </summary>
internal static class DescriptorChecks
{
    /// <summary>The VFIO device APIs (VFIO_DEVICE_API_*_STRING in the kernel).</summary>
    internal static readonly string[] KnownDeviceApis = ["vfio-pci", "vfio-platform", "vfio-amba", "vfio-ccw", "vfio-ap", "vfio-cdx"];

    public static void Run(Descriptor descriptor, List<(string Name, SourcePosition Position)> dynamic, string? file, List<Diagnostic> diagnostics)
    {
        CheckSelf(descriptor, file, diagnostics);
        foreach (var block in descriptor.Compatible)
        {
            CheckBlock(block, file, diagnostics);
        }

        foreach (var (name, position) in dynamic)
        {
            if (descriptor.FindSelf(name) is null)
            {
                diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DynamicNotInSelf, $"'{name}' is listed in DYNAMIC but is not a SELF field, so there is no value to claim on the target", file, position.Line, position.Column));
            }
        }
    }

    private static void CheckSelf(Descriptor descriptor, string? file, List<Diagnostic> diagnostics)
    {
        var hasMdevType = descriptor.FindSelf(Descriptor.MdevTypeField) is not null;
        foreach (var field in descriptor.Self)
        {
            CheckFieldName(field.Name, hasMdevType, field.Position, file, diagnostics);
            if (field.Name == Descriptor.DeviceApiField)
            {
                CheckDeviceApi(field.Value.Text, field.Position, file, diagnostics);
            }

            CheckMetaField(descriptor, field, file, diagnostics);
            if (RuleOf(descriptor, field.Name).Kind == RuleKind.Minor && field.Value.Kind != ValueKind.Empty && !DeviceVersion.TryParse(field.Value.Text, out _))
            {
                _ = DeviceVersion.TryParse(field.Value.Text, out _, out var error);
                diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.UnparsableVersion, $"'{field.Name}' holds a version, but '{field.Value.Text}' is not one ({error}); it will only match the identical text", file, field.Position.Line, field.Position.Column));
            }
        }
    }

    /// <summary>The rule of <paramref name="name"/> in this descriptor: its <c>rule.</c> field when it parses, else the built-in one.</summary>
    private static ComparisonRule RuleOf(Descriptor descriptor, string name) =>
        descriptor.SelfText(ComparisonRule.FieldPrefix + name) is { } text && ComparisonRule.TryParse(text, out var rule, out _) ? rule : ComparisonRule.Builtin(name);

    /// <summary><c>rule.&lt;field&gt;</c> must name a rule for a compared field; <c>migration.*</c> must be a known field with a valid value.</summary>
    private static void CheckMetaField(Descriptor descriptor, SelfField field, string? file, List<Diagnostic> diagnostics)
    {
        var name = field.Name;
        if (name.StartsWith(ComparisonRule.FieldPrefix, StringComparison.Ordinal))
        {
            var subject = name[ComparisonRule.FieldPrefix.Length..];
            if (subject.Length == 0 || subject is Descriptor.DeviceApiField or Descriptor.MdevTypeField || DescriptorFacts.IsMetaField(subject))
            {
                diagnostics.Add(Diagnostic.Error(DiagnosticCodes.InvalidRule, $"'{name}' states a rule for '{subject}', but {(subject.Length == 0 ? "no field is named" : subject + " is not a compared field (device_api and mdev_type are identity, rule. and migration. fields describe the comparison)")}; write rule.<field>=<rule>", file, field.Position.Line, field.Position.Column));
            }
            else if (!ComparisonRule.TryParse(field.Value.Text, out var rule, out var error))
            {
                diagnostics.Add(Diagnostic.Error(DiagnosticCodes.InvalidRule, $"'{name}': {error}", file, field.Position.Line, field.Position.Column));
            }
            else if (rule.ReadsAcceptedValues && rule.Argument is { } argument && (argument == subject || DescriptorFacts.IsMetaField(argument) || argument is Descriptor.DeviceApiField or Descriptor.MdevTypeField))
            {
                diagnostics.Add(Diagnostic.Error(DiagnosticCodes.InvalidRule, $"'{name}': {rule.Kind.ToString().ToLowerInvariant()} {argument} must name another ordinary field, the one holding what the target accepts (or leave it out to use {subject} itself)", file, field.Position.Line, field.Position.Column));
            }
            else if (rule.Kind == RuleKind.Within && descriptor.SelfText(rule.Argument ?? subject) is { Length: > 0 } ranges && !VersionRanges.TryParse(ranges, out _, out var rangeError))
            {
                diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.InvalidRangeList, $"'{rule.Argument ?? subject}' holds the ranges for '{name}', but '{ranges}' is not a version range list ({rangeError}); nothing will be accepted", file, field.Position.Line, field.Position.Column));
            }

            return;
        }

        if (name == MigrationSupport.CapableField)
        {
            if (MigrationSupport.ParseCapable(field.Value.Text) is null)
            {
                diagnostics.Add(Diagnostic.Error(DiagnosticCodes.InvalidMigrationField, $"'{name}' is '{field.Value.Text}'; write yes (the driver can migrate device state) or no", file, field.Position.Line, field.Position.Column));
            }
        }
        else if (name.StartsWith("migration.", StringComparison.Ordinal) && name != MigrationSupport.EvidenceField)
        {
            diagnostics.Add(Diagnostic.Error(DiagnosticCodes.InvalidMigrationField, $"'{name}' is not a migration field; the known ones are {MigrationSupport.CapableField} and {MigrationSupport.EvidenceField}", file, field.Position.Line, field.Position.Column));
        }
    }

    private static void CheckBlock(CompatibleBlock block, string? file, List<Diagnostic> diagnostics)
    {
        var hasMdevType = block.Find(Descriptor.MdevTypeField) is not null;
        var hasVariables = false;
        var declarationCount = 0;
        foreach (var field in block.Fields)
        {
            CheckFieldName(field.Name, hasMdevType, field.Position, file, diagnostics);
            if (field.Name == Descriptor.DeviceApiField && field.Pattern.LiteralText is { } api)
            {
                CheckDeviceApi(api, field.Position, file, diagnostics);
            }

            hasVariables |= field.Pattern.ReferenceList.Length > 0;
            declarationCount += field.Pattern.DeclarationList.Length;
        }

        if (!hasVariables && declarationCount == 0)
        {
            // No declarations and no references: nothing to bind, no version lists, no cycles.
            return;
        }

        // Typical blocks declare a handful of variables: look them up by a linear scan. Many
        // declarations get a dictionary, so a large block stays linear in its size.
        var declarations = declarationCount > LinearDeclarationLimit ? new Dictionary<string, DeclarationSegment>(StringComparer.Ordinal) : null;
        var seen = 0;
        foreach (var field in block.Fields)
        {
            foreach (var declaration in field.Pattern.DeclarationList)
            {
                var duplicate = declarations is not null
                    ? !declarations.TryAdd(declaration.Name, declaration)
                    : FindDeclaration(block, declaration.Name, seen) is not null;
                seen++;
                if (duplicate)
                {
                    diagnostics.Add(Diagnostic.Error(DiagnosticCodes.DuplicateVariable, $"the variable '{declaration.Name}' is declared twice in this block; declare it once and refer to it as {{{declaration.Name}}}", file, field.Position.Line, field.Position.Column));
                }
            }
        }

        var undeclared = false;
        foreach (var field in block.Fields)
        {
            foreach (var name in field.Pattern.ReferenceList)
            {
                if (Lookup(block, declarations, name) is null)
                {
                    undeclared = true;
                    diagnostics.Add(Diagnostic.Error(DiagnosticCodes.UndeclaredVariable, $"'{field.Name}' refers to {{{name}}}, but no field of this block declares it (declare it as {{{name}:int:...}} or {{{name}:string:...}})", file, field.Position.Line, field.Position.Column));
                }
            }

            if (field.Pattern.Arithmetic is { } arithmetic && Lookup(block, declarations, arithmetic.Name) is { } target)
            {
                if (target.Type != VariableType.Int)
                {
                    diagnostics.Add(Diagnostic.Error(DiagnosticCodes.ArithmeticOnString, $"'{field.Name}' computes {arithmetic}, but '{arithmetic.Name}' is a string; arithmetic needs an int variable", file, field.Position.Line, field.Position.Column));
                }
                else
                {
                    CheckArithmetic(field, arithmetic, target, file, diagnostics);
                }
            }

            if (field.Pattern.DeclarationList.Length > 0 && DeviceVersion.IsVersionFieldName(field.Name) && FirstIntDeclaration(field.Pattern) is { } versions)
            {
                var sparse = versions.IntValues.Length > 1 ? " The list is sparse and grows with every release." : string.Empty;
                diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.IntegerVersionList, $"'{field.Name}' lists integer versions {versions}.{sparse} Use a major.minor.bugfix version in SELF instead and let the rule decide (same major, target minor >= source minor)", file, field.Position.Line, field.Position.Column));
            }
        }

        if (hasVariables && !undeclared && !BlockOrdering.IsOrderable(block, out var stuck))
        {
            var position = block.Position;
            diagnostics.Add(Diagnostic.Error(DiagnosticCodes.CircularReference, $"the variable '{stuck}' is referred to before it can be bound: variables of this block depend on each other in a circle, or a value refers to a variable it declares later; declare each variable before other values use it", file, position.Line, position.Column));
        }
    }

    /// <summary>Above this many declarations in a block, they are looked up in a dictionary.</summary>
    private const int LinearDeclarationLimit = 16;

    private static DeclarationSegment? Lookup(CompatibleBlock block, Dictionary<string, DeclarationSegment>? declarations, string name) =>
        declarations is not null
            ? declarations.GetValueOrDefault(name)
            : FindDeclaration(block, name, int.MaxValue);

    /// <summary>The first declaration of <paramref name="name"/> among the block's first <paramref name="limit"/> declarations (in written order), or null.</summary>
    private static DeclarationSegment? FindDeclaration(CompatibleBlock block, string name, int limit)
    {
        var index = 0;
        foreach (var field in block.Fields)
        {
            foreach (var declaration in field.Pattern.DeclarationList)
            {
                if (index++ >= limit)
                {
                    return null;
                }

                if (string.Equals(declaration.Name, name, StringComparison.Ordinal))
                {
                    return declaration;
                }
            }
        }

        return null;
    }

    private static DeclarationSegment? FirstIntDeclaration(ValuePattern pattern)
    {
        foreach (var declaration in pattern.DeclarationList)
        {
            if (declaration.Type == VariableType.Int)
            {
                return declaration;
            }
        }

        return null;
    }

    private static void CheckArithmetic(AcceptField field, ArithmeticExpression arithmetic, DeclarationSegment declaration, string? file, List<Diagnostic> diagnostics)
    {
        if (declaration.AcceptsAny)
        {
            return;
        }

        var failing = new List<long>();
        long examined = 0;
        foreach (var range in declaration.IntValues)
        {
            for (var value = range.From; value <= range.To && examined < 10_000; value++, examined++)
            {
                if (!arithmetic.TryEvaluate(value, out _) && failing.Count < 8)
                {
                    failing.Add(value);
                }
            }
        }

        if (failing.Count > 0)
        {
            var values = string.Join(", ", failing.Select(v => v.ToString(CultureInfo.InvariantCulture)));
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.NonIntegerArithmetic, $"'{field.Name}' = {arithmetic} is not a non-negative integer for {arithmetic.Name} = {values}; sources that bind those values are refused. Remove them from the list or change the expression", file, field.Position.Line, field.Position.Column));
        }
    }

    private static void CheckFieldName(string name, bool hasMdevType, SourcePosition position, string? file, List<Diagnostic> diagnostics)
    {
        if (name == "device_type")
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DeviceTypeField, "'device_type' is not a standard field; the VFIO device API is 'device_api' (vfio-pci, vfio-ccw, vfio-ap, ...), which is always matched exactly", file, position.Line, position.Column));
        }

        if (hasMdevType && (IsParentIdField(name) || name.StartsWith("parent_", StringComparison.Ordinal)))
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.ParentIdNextToMdevType, $"'{name}' identifies the parent device, but an mdev_type must define a software-compatible interface on its own; matching on it blocks migration between different parents offering the same type (report a distinct mdev type per parent instead)", file, position.Line, position.Column));
        }
    }

    /// <summary>True for the fields that identify a parent device (device, vendor and subsystem ids, <c>pci_id</c>).</summary>
    private static bool IsParentIdField(string name) => name switch
    {
        "device_id" or "vendor_id" or "subsystem_id" or "subsystem_vendor" or "subsystem_device" or "pci_id" => true,
        _ => false,
    };

    private static void CheckDeviceApi(string value, SourcePosition position, string? file, List<Diagnostic> diagnostics)
    {
        if (Array.IndexOf(KnownDeviceApis, value) >= 0)
        {
            return;
        }

        var message = value == "vfio-mdev"
            ? "'vfio-mdev' is the driver that exposes mdevs through VFIO, not a device API; use the interface the device presents, usually vfio-pci (or vfio-ccw, vfio-ap)"
            : $"'{value}' is not a VFIO device API; expected one of {string.Join(", ", KnownDeviceApis)}";
        diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.UnknownDeviceApi, message, file, position.Line, position.Column));
    }
}
