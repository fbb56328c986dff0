using System.Text;
using CsCheck;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>
/// The fast reader may only accept what the validating reader accepts without any diagnostic, and must
/// then build the same inventory; on anything else it gives up and the validating reader answers.
/// </summary>
public sealed class InventoryJsonFastPathTests
{
    private static readonly Gen<(string Json, int Position, int Kind, char Replacement)> Mutations =
        from inventory in InventoryGenerators.Inventory
        let json = InventoryJson.Serialize(inventory)
        from position in Gen.Int[0, Math.Max(0, json.Length - 1)]
        from kind in Gen.Int[0, 3]
        from replacement in Gen.Char["{}[]\":,0123456789-abcnulltruefalse \\\u00e9"]
        select (json, position, kind, replacement);

    [Fact]
    public void The_fast_reader_accepts_a_document_only_when_the_validating_reader_finds_nothing_to_report()
    {
        Mutations.Sample(sample =>
        {
            var text = Mutate(sample.Json, sample.Position, sample.Kind, sample.Replacement);
            var utf8 = Encoding.UTF8.GetBytes(text);
            var fast = InventoryJsonFastReader.TryRead(utf8);
            var validating = InventoryJson.ReadValidating(utf8, "mutated.json");
            if (fast is null)
            {
                return;
            }

            Assert.Empty(validating.Diagnostics);
            Assert.NotNull(validating.Inventory);
            Assert.Equal(InventoryJson.Serialize(validating.Inventory), InventoryJson.Serialize(fast));
        }, iter: 3000);
    }

    [Fact]
    public void The_fast_reader_accepts_every_unmutated_document()
    {
        InventoryGenerators.Inventory.Sample(inventory =>
        {
            var json = InventoryJson.Serialize(inventory);
            var fast = InventoryJsonFastReader.TryRead(Encoding.UTF8.GetBytes(json));
            Assert.NotNull(fast);
            Assert.Equal(json, InventoryJson.Serialize(fast));
        });
    }

    private static string Mutate(string json, int position, int kind, char replacement) => kind switch
    {
        0 => json.Remove(position, 1),
        1 => json.Insert(position, replacement.ToString()),
        2 => json.Remove(position, 1).Insert(position, replacement.ToString()),
        _ => json,
    };
}
