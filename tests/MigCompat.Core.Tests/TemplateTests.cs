using MigCompat.Core.Matching;
using MigCompat.Core.Model;
using static MigCompat.Core.Tests.Descriptors;

namespace MigCompat.Core.Tests;

public class TemplateTests
{
    [Theory]
    [InlineData("{n:int:1,2,4,8}", "{n:int:1,2,4,8}")]
    [InlineData("{ n : int : 1 , 2 }", "{n:int:1,2}")]
    [InlineData("{n:int:1-8}", "{n:int:1-8}")]
    [InlineData("{n:int:1..8}", "{n:int:1-8}")]
    [InlineData("{n:int:3-3}", "{n:int:3}")]
    [InlineData("{n:int}", "{n:int}")]
    [InlineData("{s:string}", "{s:string}")]
    [InlineData("{s:string:\"a\",\"b\"}", "{s:string:\"a\",\"b\"}")]
    [InlineData("{s:string:a, b}", "{s:string:\"a\",\"b\"}")]
    [InlineData("{s:string:\"x,y:z}\",\"\"}", "{s:string:\"x,y:z}\",\"\"}")]
    [InlineData("i915-GVTg_V5_{val1:int:1,2,4,8}", "i915-GVTg_V5_{val1:int:1,2,4,8}")]
    [InlineData("{val1} / 2", "{val1}/2")]
    [InlineData("{val1}*3", "{val1}*3")]
    [InlineData("{val1}+1", "{val1}+1")]
    [InlineData("{val1}-1", "{val1}-1")]
    [InlineData("plain", "plain")]
    [InlineData("\"inner spaces need no quotes\"", "inner spaces need no quotes")]
    [InlineData("\"a #b\"", "\"a #b\"")]
    [InlineData("\" padded \"", "\" padded \"")]
    [InlineData("two words", "two words")]
    public void Patterns_have_a_canonical_text(string written, string canonical)
    {
        var declaration = written.Contains("{val1}", StringComparison.Ordinal) ? "v={val1:int}\n" : string.Empty;
        var descriptor = Parse($"a=1\nCOMPATIBLE:\n{declaration}a={written}");
        Assert.Equal(canonical, descriptor.Compatible[0].Find("a")!.Pattern.ToString());
    }

    [Fact]
    public void The_arithmetic_form_is_recognised_only_for_a_reference_followed_by_one_operator_and_an_integer()
    {
        var descriptor = Parse("a=1\nCOMPATIBLE:\nn={v:int}\na={v}/2\nb={v}/2x\nc=x{v}/2");
        Assert.NotNull(descriptor.Compatible[0].Find("a")!.Pattern.Arithmetic);
        Assert.Null(descriptor.Compatible[0].Find("b")!.Pattern.Arithmetic);
        Assert.Null(descriptor.Compatible[0].Find("c")!.Pattern.Arithmetic);
    }

    private const string Target = "t=1\nCOMPATIBLE:\n";

    /// <summary>Block fields, source self, expected accepted, expected bindings "name=value;...".</summary>
    public static TheoryData<string, string, bool, string> Matches => new()
    {
        { "t={n:int:1,2,4,8}", "t=4", true, "n=4" },
        { "t={n:int:1,2,4,8}", "t=3", false, "" },
        { "t={n:int:1-8}", "t=8", true, "n=8" },
        { "t={n:int:1-8}", "t=9", false, "" },
        { "t={n:int:1-8}", "t=04", false, "" },
        { "t={n:int}", "t=123456", true, "n=123456" },
        { "t={n:int}", "t=x", false, "" },
        { "t={s:string:\"a\",\"b\"}", "t=b", true, "s=b" },
        { "t={s:string:\"a\",\"b\"}", "t=c", false, "" },
        { "t={s:string}", "t=anything at all", true, "s=anything at all" },
        { "t={s:string:\"none+ppgtt\"}", "t=ppgtt+none", true, "s=ppgtt+none" },
        { "t=none+ppgtt", "t=ppgtt+none", true, "" },
        { "t=i915-GVTg_V5_{n:int:1,2,4,8}", "t=i915-GVTg_V5_8", true, "n=8" },
        { "t=i915-GVTg_V5_{n:int:1,2,4,8}", "t=i915-GVTg_V5_16", false, "" },
        { "t=i915-GVTg_V5_{n:int:1,2,4,8}", "t=i915-GVTg_V4_8", false, "" },
        { "t=nvidia-{n:int:63-66}", "t=nvidia-64", true, "n=64" },
        { "t={a:int:1-9}{b:int:10-99}", "t=345", true, "a=3;b=45" },
        { "t={p:string:\"x\",\"xy\"}y{q:string:\"z\"}", "t=xyz", true, "p=x;q=z" },
        { "t={n:int:1,2,4,8}\nu={n}", "t=4\nu=4", true, "n=4" },
        { "t={n:int:1,2,4,8}\nu={n}", "t=4\nu=2", false, "n=4" },
        { "u={n}\nt={n:int:1,2,4,8}", "t=4\nu=4", true, "n=4" },
        { "t={n:int:1,2,4,8}\nu=size-{n}", "t=2\nu=size-2", true, "n=2" },
        { "t={n:int:1,2,4,8}\nu={n}/2", "t=4\nu=2", true, "n=4" },
        { "t={n:int:1,2,4,8}\nu={n}/2", "t=1\nu=0", false, "n=1" },
        { "t={n:int:1,2,4,8}\nu={n}/2", "t=4\nu=02", false, "n=4" },
        { "t={n:int:1,2,4,8}\nu={n}*2", "t=4\nu=8", true, "n=4" },
        { "t={n:int:1,2,4,8}\nu={n}+1", "t=4\nu=5", true, "n=4" },
        { "t={n:int:1,2,4,8}\nu={n}-1", "t=1\nu=0", true, "n=1" },
        { "t={n:int:1,2,4,8}\nu={n}-2", "t=1\nu=0", false, "n=1" },
        { "t={s:string:\"a\",\"\"}", "", true, "s=" },
        { "t=\"\"", "", true, "" },
        { "t=\"\"", "t=", true, "" },
        { "t=x", "", false, "" },
        { "t={a:string}-{b:string}", "t=p-q-r", true, "a=p-q;b=r" },
    };

    [Theory]
    [MemberData(nameof(Matches))]
    public void A_block_field_accepts_a_source_value_and_binds_its_variables(string fields, string source, bool accepted, string bindings)
    {
        var verdict = Matcher.Check(Parse(source), Parse(Target + fields));
        var verdictOfBlock = Assert.Single(verdict.Blocks);
        Assert.True(accepted == verdictOfBlock.Accepted, Explain(verdict));
        Assert.Equal(bindings, string.Join(';', verdictOfBlock.Bindings.OrderBy(b => b.Name, StringComparer.Ordinal).Select(b => $"{b.Name}={b.Value}")));
    }

    [Fact]
    public void Variables_are_scoped_to_their_block()
    {
        var target = Parse("t=1\nCOMPATIBLE:\nt={n:int:1}\nCOMPATIBLE:\nt={n:int:2}\nu={n}");
        var verdict = Matcher.Check(Parse("t=2\nu=2"), target);
        Assert.Equal(1, verdict.AcceptedBlock);
        Assert.Equal([new VariableBinding("n", "2", "t")], verdict.Bindings);
    }

    [Fact]
    public void A_value_list_cannot_be_ambiguous_enough_to_hang_the_matcher()
    {
        var fields = "t={a:string}{b:string}{c:string}{d:string}{e:string}x";
        var source = "t=" + new string('y', 3000);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var verdict = Matcher.Check(Parse(source), Parse(Target + fields));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), started.Elapsed.ToString());
        Assert.Equal(CompatibilityLevel.Cold, verdict.Level);
        Assert.Equal(ReasonCodes.SearchLimitExceeded, Assert.Single(verdict.Reasons).Code);
    }

    [Fact]
    public void Declarations_and_references_are_reported_in_order()
    {
        var pattern = Parse("a=1\nCOMPATIBLE:\nn={n:int}\na=x{n}{s:string}").Compatible[0].Find("a")!.Pattern;
        Assert.Equal(["s"], pattern.Declarations.Select(d => d.Name));
        Assert.Equal(["n"], pattern.References);
        Assert.False(pattern.IsLiteral);
    }

    [Theory]
    [InlineData(ArithmeticOperator.Divide, 4, 2, true, 2)]
    [InlineData(ArithmeticOperator.Divide, 3, 2, false, 0)]
    [InlineData(ArithmeticOperator.Divide, 3, 0, false, 0)]
    [InlineData(ArithmeticOperator.Subtract, 1, 2, false, 0)]
    [InlineData(ArithmeticOperator.Multiply, long.MaxValue, 2, false, 0)]
    [InlineData(ArithmeticOperator.Add, 1, 2, true, 3)]
    public void Arithmetic_gives_a_non_negative_integer_or_nothing(ArithmeticOperator op, long value, long operand, bool ok, long expected)
    {
        var expression = new ArithmeticExpression("v", op, operand);
        Assert.Equal(ok, expression.TryEvaluate(value, out var result));
        if (ok)
        {
            Assert.Equal(expected, result);
        }
    }
}
