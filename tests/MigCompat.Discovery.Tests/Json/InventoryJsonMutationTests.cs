using System.Text;
using CsCheck;
using MigCompat.Discovery.Inventory;

namespace MigCompat.Discovery.Tests.Json;

/// <summary>
/// Any text near a valid document (a character removed, inserted or replaced) is read without an
/// exception, the same from a string and from its UTF-8 bytes; what reads with no error writes back
/// to text that reads to the same inventory.
/// </summary>
public sealed class InventoryJsonMutationTests
{
    private static readonly Gen<(string Json, int Position, int Kind, char Replacement)> Mutations =
        from inventory in InventoryGenerators.Inventory
        let json = InventoryJson.Serialize(inventory)
        from position in Gen.Int[0, Math.Max(0, json.Length - 1)]
        from kind in Gen.Int[0, 3]
        from replacement in Gen.Char["{}[]\":,0123456789-abcnulltruefalse \\\u00e9"]
        select (json, position, kind, replacement);

    [Fact]
    public void A_mutated_document_is_read_without_exception_and_what_it_accepts_round_trips()
    {
        Mutations.Sample(sample =>
        {
            var text = Mutate(sample.Json, sample.Position, sample.Kind, sample.Replacement);
            var read = InventoryJson.Read(text, "mutated.json");
            Assert.Equal(read.Diagnostics, InventoryJson.Read(Encoding.UTF8.GetBytes(text), "mutated.json").Diagnostics);
            Assert.Equal(read.Inventory is null, read.Diagnostics.Any(d => d.IsError));
            Assert.All(read.Diagnostics, d => Assert.True(d.Line > 0 && d.Column > 0, d.ToString()));
            if (read.Inventory is { } inventory)
            {
                var again = InventoryJson.Read(InventoryJson.Serialize(inventory));
                Assert.Empty(again.Diagnostics);
                Assert.Equal(InventoryJson.Serialize(inventory), InventoryJson.Serialize(again.Inventory!));
            }
        }, iter: 3000);
    }

    private static string Mutate(string json, int position, int kind, char replacement) => kind switch
    {
        0 => json.Remove(position, 1),
        1 => json.Insert(position, replacement.ToString()),
        2 => json.Remove(position, 1).Insert(position, replacement.ToString()),
        _ => json,
    };
}
