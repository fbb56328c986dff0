using System.Diagnostics;
using System.Text;
using CsCheck;
using MigCompat.Core.Formatting;
using MigCompat.Core.Matching;
using MigCompat.Core.Syntax;

namespace MigCompat.Core.Tests;

public class FuzzTests
{
    private static readonly string[] ValidFiles =
    [
        File.ReadAllText(Path.Combine(MatcherTests.ExamplesDirectory(), "seed-target.desc")),
        "SELF:\n  device_api=vfio-pci\n  mdev_type=nvidia-63\n  software_version=550.127.08\n  note=\"a # b\"\nCOMPATIBLE:\n  mdev_type=nvidia-{n:int:63-66}\n  size={n}\n  half={n}/2\n  mode={m:string:\"a\",\"\"}\nDYNAMIC:\n  size, note\n",
    ];

    private static readonly Lazy<MigCompat.Core.Model.Descriptor> SeedTarget = new(() => DescriptorParser.Parse(ValidFiles[0]).Descriptor!);

    private const string Alphabet = "abcXYZ019_-.=:,+*/#\"\\{}  \t\n\r\u0001\u00e9\uFEFF";

    private static void AssertWellBehaved(string text)
    {
        var result = DescriptorParser.Parse(text, "fuzz");
        Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1, d.ToString()));
        Assert.All(result.Diagnostics, d => Assert.Matches("^MC[12][0-9]{3}$", d.Code));
        Assert.Equal(result.Success, !result.Diagnostics.Any(d => d.IsError));
        if (result.Descriptor is { } descriptor)
        {
            var canonical = DescriptorFormatter.Format(descriptor);
            var again = DescriptorParser.Parse(canonical);
            Assert.True(again.Success, canonical + "\n" + string.Join("\n", again.Diagnostics));
            Assert.Equal(descriptor, again.Descriptor);
            _ = Matcher.Check(descriptor, SeedTarget.Value);
            _ = Matcher.Check(SeedTarget.Value, descriptor);
            _ = Matcher.Check(descriptor, descriptor);
        }
    }

    [Fact]
    public void Random_text_never_throws_and_every_diagnostic_has_a_position() =>
        Gen.String[Gen.Char[Alphabet], 0, 200].Sample(AssertWellBehaved, iter: 20_000);

    [Fact]
    public void Random_bytes_decoded_as_text_never_throw() =>
        Gen.Byte.Array[0, 300].Sample(bytes => AssertWellBehaved(Encoding.UTF8.GetString(bytes)), iter: 5_000);

    [Fact]
    public void Random_edits_of_valid_files_never_throw()
    {
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Char[Alphabet]);
        Gen.Select(Gen.Int[0, ValidFiles.Length - 1], edit.Array[1, 6]).Sample(
            (file, edits) =>
            {
                var text = new StringBuilder(ValidFiles[file]);
                foreach (var (kind, at, c) in edits)
                {
                    var position = at % (text.Length + 1);
                    switch (kind)
                    {
                        case 0: text.Insert(position, c); break;
                        case 1 when position < text.Length: text.Remove(position, 1); break;
                        case 2 when position < text.Length: text[position] = c; break;
                    }
                }

                AssertWellBehaved(text.ToString());
            },
            iter: 20_000);
    }

    // The time limits below are robustness guards, not performance claims: each one catches a
    // quadratic (or worse) blow-up, which would take minutes, while leaving ample room for a loaded
    // machine. Only the call under test is timed; the input is built before the stopwatch starts.

    /// <summary>Generous: a linear scan of these inputs takes milliseconds; a quadratic one takes minutes.</summary>
    private static readonly TimeSpan GuardLimit = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_10000_character_line_is_refused_quickly_with_MC1013()
    {
        var text = "a=1\nb=" + new string('x', 10_000);
        var (result, elapsed) = Timed(() => DescriptorParser.Parse(text));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("MC1013", 2, 4097), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.True(elapsed < GuardLimit, elapsed.ToString());
    }

    [Fact]
    public void A_file_over_one_MiB_is_refused_quickly_with_MC1012()
    {
        var text = string.Concat(Enumerable.Repeat("aggregator=1\n", (DescriptorLimits.MaxInputLength / 13) + 1));
        var (result, elapsed) = Timed(() => DescriptorParser.Parse(text));
        Assert.Equal("MC1012", Assert.Single(result.Diagnostics).Code);
        Assert.True(elapsed < GuardLimit, elapsed.ToString());
    }

    [Fact]
    public void A_million_item_value_list_is_refused_quickly()
    {
        var items = string.Join(',', Enumerable.Range(0, 1_000_000));
        var list = "a=1\nCOMPATIBLE:\na={n:int:" + items + "}";
        var (result, elapsed) = Timed(() => DescriptorParser.Parse(list));
        Assert.Equal("MC1012", Assert.Single(result.Diagnostics).Code);
        Assert.True(elapsed < GuardLimit, elapsed.ToString());

        // Through the field API there is no file size, so the value length guard answers.
        KeyValuePair<string, string>[] self = [new("a", "1")];
        KeyValuePair<string, string>[][] compatible = [[new("a", "{n:int:" + items + "}")]];
        var (fields, fieldsElapsed) = Timed(() => DescriptorParser.FromFields(self, compatible, []));
        var diagnostic = Assert.Single(fields.Diagnostics);
        Assert.Equal("MC1013", diagnostic.Code);
        Assert.True(fieldsElapsed < GuardLimit, fieldsElapsed.ToString());

        // Below the size guards, the list guard answers: 1,025 items on one line.
        var longList = "a=1\nCOMPATIBLE:\na={n:int:" + string.Join(',', Enumerable.Repeat(1, 2000)) + "}";
        var (listResult, listElapsed) = Timed(() => DescriptorParser.Parse(longList));
        Assert.Equal("MC1014", Assert.Single(listResult.Diagnostics).Code);
        Assert.True(listElapsed < GuardLimit, listElapsed.ToString());
    }

    [Fact]
    public void Many_lines_of_errors_are_all_reported_without_slowing_down()
    {
        var text = string.Concat(Enumerable.Repeat("not a field\n", 50_000));
        var (result, elapsed) = Timed(() => DescriptorParser.Parse(text));
        Assert.Equal(50_000, result.Diagnostics.Length);
        Assert.True(elapsed < GuardLimit, elapsed.ToString());
    }

    private static (T Result, TimeSpan Elapsed) Timed<T>(Func<T> action)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = action();
        return (result, stopwatch.Elapsed);
    }
}
