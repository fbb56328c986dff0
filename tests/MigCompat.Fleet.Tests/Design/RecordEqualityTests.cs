using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using MigCompat.Core.Model;
using MigCompat.Discovery.RulePacks;
using MigCompat.Discovery.Inventory;
using MigCompat.Fleet.Service;
using MigCompat.Fleet.Storage;
using static MigCompat.Fleet.Tests.Search.TestFleet;

namespace MigCompat.Fleet.Tests.Design;

/// <summary>
/// A record's generated equality compares arrays by reference, so two equal results built twice would be
/// unequal. Every public record of the library assemblies that holds a collection must define its own
/// equality (with <see cref="ArrayEquality"/>).
/// </summary>
public class RecordEqualityTests
{
    public static TheoryData<string> Assemblies => new()
    {
        typeof(Descriptor).Assembly.GetName().Name!,
        typeof(HostInventory).Assembly.GetName().Name!,
        typeof(FleetService).Assembly.GetName().Name!,
        typeof(MigCompat.Placement.PlacementPlan).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Every_public_record_that_holds_a_collection_compares_it_by_value(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var offenders = assembly.GetExportedTypes()
            .Where(IsRecord)
            .Where(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => IsCollection(p.PropertyType)))
            .Where(t => t.GetMethod("Equals", [t])?.IsDefined(typeof(CompilerGeneratedAttribute)) != false)
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(offenders.Count == 0, "Records comparing collections by reference: " + string.Join(", ", offenders));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_equality_of_every_record_that_holds_a_collection_sees_each_of_its_properties(string assemblyName)
    {
        var missed = new List<string>();
        foreach (var type in Assembly.Load(assemblyName).GetExportedTypes().Where(t => IsRecord(t) && !t.IsAbstract && HoldsCollection(t)))
        {
            var blank = RuntimeHelpers.GetUninitializedObject(type);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.Name != "EqualityContract"))
            {
                if (Different(property.PropertyType) is not { } value)
                {
                    continue;
                }

                var changed = type.GetMethod("<Clone>$")!.Invoke(blank, null)!;
                property.SetValue(changed, value);
                if (blank.Equals(changed))
                {
                    missed.Add($"{type.Name}.{property.Name}");
                }
            }
        }

        Assert.True(missed.Count == 0, "Equality ignores: " + string.Join(", ", missed));
    }

    [Fact]
    public void The_same_search_run_twice_gives_equal_results_and_a_changed_one_does_not()
    {
        using var index = Index(Source("src", Gpu("nvidia-63", "17.1.0")), Host("dst", types: [Type("p", Gpu("nvidia-63", "17.3.0"), 4)]));

        var first = index.FindTargets(QueryById("src", 1));
        var second = index.FindTargets(QueryById("src", 1));

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, first with { Candidates = [.. first.Candidates.Select(c => c with { Score = c.Score + 1 })] });
    }

    [Fact]
    public void Parsing_a_shipped_rule_pack_twice_gives_equal_packs()
    {
        var shipped = RulePackLoader.LoadShipped().Packs[0];
        var first = RulePackLoader.Parse(shipped.Text, shipped.FilePath);
        var second = RulePackLoader.Parse(shipped.Text, shipped.FilePath);

        Assert.NotSame(first.Packs[0], second.Packs[0]);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Packs[0], first.Packs[0] with { Drivers = [.. first.Packs[0].Drivers, "other"] });
    }

    [Theory]
    [InlineData("a", "a", true)]
    [InlineData("a", "b", false)]
    public void Two_claims_built_separately_are_equal_exactly_when_their_items_are(string firstKey, string secondKey, bool equal)
    {
        var at = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        Claim Build(string key) => new("c1", "h", [new ClaimItem(key, 1)], ClaimState.Pending, at, at.AddMinutes(5), null);

        Assert.Equal(equal, Build(firstKey) == Build(secondKey));
        Assert.Equal(equal, Build(firstKey).GetHashCode() == Build(secondKey).GetHashCode());
    }

    private static bool HoldsCollection(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => IsCollection(p.PropertyType));

    /// <summary>A value unequal to the type's default (what an uninitialized record holds), or null when none is made here.</summary>
    private static object? Different(Type type)
    {
        if (type == typeof(string))
        {
            return "x";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            var item = type.GetGenericArguments()[0];
            var create = typeof(ImmutableArray).GetMethods().First(m => m.Name == "Create" && m.GetParameters() is [{ ParameterType.IsGenericParameter: true }]);
            return create.MakeGenericMethod(item).Invoke(null, [item.IsValueType ? Activator.CreateInstance(item) : null]);
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            var values = Enum.GetValues(underlying);
            return values.Length > 1 ? values.GetValue(1) : null;
        }

        return underlying switch
        {
            _ when underlying == typeof(int) => 7,
            _ when underlying == typeof(long) => 7L,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(TimeSpan) => TimeSpan.FromSeconds(7),
            _ when underlying == typeof(DateTimeOffset) => DateTimeOffset.UnixEpoch.AddDays(7),
            _ when !underlying.IsValueType && !underlying.IsAbstract && !underlying.IsInterface && underlying != typeof(object) => RuntimeHelpers.GetUninitializedObject(underlying),
            _ => null,
        };
    }

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;

    private static bool IsCollection(Type type) =>
        type != typeof(string) && (type.IsArray || typeof(IEnumerable).IsAssignableFrom(type)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)));
}
