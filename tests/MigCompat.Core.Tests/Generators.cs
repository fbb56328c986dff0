using System.Collections.Immutable;
using CsCheck;
using MigCompat.Core.Model;

namespace MigCompat.Core.Tests;

/// <summary>CsCheck generators of valid descriptors, with the values that are hard to write down.</summary>
internal static class Generators
{
    /// <summary>Characters that stress quoting: spaces, quotes, '#', braces, escapes, separators.</summary>
    private const string Tricky = "ab z09 \"#{}\\\t\n\r,:=+-._'";

    private const string Safe = "abcxyz_.";

    public static readonly Gen<string> TrickyText = Gen.String[Gen.Char[Tricky], 0, 12];

    private static readonly Gen<string> SafeText = Gen.String[Gen.Char[Safe], 1, 6];

    public static readonly Gen<string> Version =
        Gen.Select(Gen.Int[0, 20], Gen.Int[0, 20], Gen.Int[0, 99], (major, minor, bugfix) => $"{major}.{minor}.{bugfix}");

    /// <summary>Self fields: optional device_api, mdev_type and software_version, then vendor fields with tricky values.</summary>
    public static readonly Gen<ImmutableArray<SelfField>> Self =
        Gen.Select(
            Gen.Bool, Gen.Bool, Version.Null(),
            TrickyText.Array[0, 6],
            (api, type, version, values) =>
            {
                var fields = ImmutableArray.CreateBuilder<SelfField>();
                if (api)
                {
                    fields.Add(Field("device_api", "vfio-pci"));
                }

                if (type)
                {
                    fields.Add(Field("mdev_type", "i915-GVTg_V5_4"));
                }

                if (version is not null)
                {
                    fields.Add(Field("software_version", version));
                }

                for (var i = 0; i < values.Length; i++)
                {
                    fields.Add(Field($"f{i}", values[i]));
                }

                return fields.ToImmutable();
            });

    private static readonly Gen<ImmutableArray<IntRange>> IntList =
        Gen.Select(Gen.Int[0, 50], Gen.Int[0, 5], (from, width) => new IntRange(from, from + width)).Array[1, 4]
            .Select(ranges => ranges.ToImmutableArray());

    private static readonly Gen<ImmutableArray<string>> StringList = TrickyText.Array[1, 4].Select(values => values.ToImmutableArray());

    /// <summary>A block of 1-5 fields: literals, embedded int declarations, string lists, references and arithmetic on earlier variables.</summary>
    public static readonly Gen<CompatibleBlock> Block =
        Gen.Int[0, 5].Select(Gen.Int[0, 1000].Array[5], TrickyText.Array[5], SafeText.Array[5], IntList.Array[5], StringList.Array[5], (count, choices, tricky, safe, ints, strings) =>
        {
            var fields = ImmutableArray.CreateBuilder<AcceptField>();
            var intVariables = new List<string>();
            var allVariables = new List<string>();
            for (var i = 0; i <= count && i < 5; i++)
            {
                var name = $"v{i}";
                ValuePattern pattern;
                switch (choices[i] % 6)
                {
                    case 0:
                        pattern = ValuePattern.Literal(tricky[i]);
                        break;
                    case 1:
                        pattern = ValuePattern.Template([new LiteralSegment(safe[i]), new DeclarationSegment(name, VariableType.Int, ints[i], [])]);
                        intVariables.Add(name);
                        allVariables.Add(name);
                        break;
                    case 2:
                        pattern = ValuePattern.Template([new DeclarationSegment(name, VariableType.String, [], strings[i])]);
                        allVariables.Add(name);
                        break;
                    case 3 when allVariables.Count > 0:
                        pattern = ValuePattern.Template([new LiteralSegment(safe[i]), new ReferenceSegment(allVariables[choices[i] % allVariables.Count])]);
                        break;
                    case 4 when intVariables.Count > 0:
                        pattern = ValuePattern.FromArithmetic(new ArithmeticExpression(intVariables[choices[i] % intVariables.Count], (ArithmeticOperator)(choices[i] % 4), (choices[i] % 7) + 1));
                        break;
                    default:
                        pattern = ValuePattern.Template([new DeclarationSegment(name, choices[i] % 2 == 0 ? VariableType.Int : VariableType.String, [], [])]);
                        break;
                }

                fields.Add(new AcceptField($"g{i}", pattern));
            }

            return new CompatibleBlock(fields.ToImmutable());
        });

    public static readonly Gen<Descriptor> Descriptor =
        Gen.Select(Self, Block.Array[0, 3], Gen.Int[0, 100], (self, blocks, dynamicSeed) =>
        {
            var dynamic = self.Where((f, i) => (dynamicSeed >> (i % 7)) % 5 == 0).Select(f => f.Name).ToImmutableArray();
            return new Descriptor(self, [.. blocks], dynamic);
        });

    public static SelfField Field(string name, string value) => new(name, FieldValue.Create(name, value));
}
