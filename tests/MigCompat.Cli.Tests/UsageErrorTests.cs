using MigCompat.Cli.Tests.Support;

namespace MigCompat.Cli.Tests;

/// <summary>Bad command lines are explained in the user's words, exit 2, and never run the command.</summary>
public sealed class UsageErrorTests : IDisposable
{
    private readonly Workspace workspace = new();

    public void Dispose() => workspace.Dispose();

    /// <summary>(command line, the error messages exactly as printed after "migcompat: error: ").</summary>
    public static TheoryData<string, string[]> BadCommandLines => new()
    {
        { "validate x --formt json", ["unknown option '--formt' (did you mean --format?)"] },
        { "validate --formt=json x", ["unknown option '--formt' (did you mean --format?)"] },
        { "validate x -f", ["unknown option '-f' for 'migcompat validate'; run 'migcompat validate --help' for its options (write -- before a file name that starts with '-')"] },
        { "check a b --fromat json", ["unknown option '--fromat' (did you mean --format?)"] },
        { "validate x --version", ["unknown option '--version' for 'migcompat validate'; run 'migcompat validate --help' for its options (write -- before a file name that starts with '-')"] },
        { "format x --verbose", ["unknown option '--verbose' for 'migcompat format'; run 'migcompat format --help' for its options (write -- before a file name that starts with '-')"] },
        { "scan --sysfs-rot /x", ["unknown option '--sysfs-rot' (did you mean --sysfs-root?)"] },
        { "import mdevctl-types t.json --hots h", ["unknown option '--hots' (did you mean --host?)"] },
        { "import domain-xml d.xml --inventroy i.json", ["unknown option '--inventroy' (did you mean --inventory?)"] },
        { "rules list --rule d", ["unknown option '--rule' (did you mean --rules?)"] },
        { "targets --server http://x --from h --device d --frmat json", ["unknown option '--frmat' (did you mean --format?)"] },
        { "serve --db x.db --url http://127.0.0.1:1", ["unknown option '--url' (did you mean --urls?)"] },
        { "targets --server http://x --from h --device d --limit abc", ["--limit: 'abc' is not a whole number"] },
        { "agent --server http://x --token t --attempts many", ["--attempts: 'many' is not a whole number"] },
        { "demo --hosts 1e3", ["--hosts: '1e3' is not a whole number"] },
        { "demo --port 80.5", ["--port: '80.5' is not a whole number"] },
        { "demo --hosts 99999999999", ["--hosts: '99999999999' is out of range (a whole number from -2147483648 to 2147483647)"] },
        { "targets --server http://x --from h --device d --limit=-99999999999", ["--limit: '-99999999999' is out of range (a whole number from -2147483648 to 2147483647)"] },
        { "targets --server http://x --from h --device d --limit 1-2", ["--limit: '1-2' is not a whole number"] },
        { "check a b --format xml", ["--format: 'xml' is not one of text, json"] },
        { "check a b --format=jsn", ["--format: 'jsn' is not one of text, json (did you mean json?)"] },
        { "scan --format table", ["--format: 'table' is not one of text, json"] },
        { "check a", ["'migcompat check' is missing TARGET; usage: migcompat check SOURCE TARGET [options]"] },
        { "check", ["'migcompat check' is missing SOURCE and TARGET; usage: migcompat check SOURCE TARGET [options]"] },
        { "validate", ["'migcompat validate' is missing FILE; usage: migcompat validate FILE... [options]"] },
        { "validate --format json", ["'migcompat validate' is missing FILE; usage: migcompat validate FILE... [options]"] },
        { "import nodedev-xml", ["'migcompat import nodedev-xml' is missing FILE; usage: migcompat import nodedev-xml FILE... [options]"] },
        { "rules show", ["'migcompat rules show' is missing NAME; usage: migcompat rules show NAME [options]"] },
        { "format a b", ["unexpected argument 'b'; usage: migcompat format FILE [options]"] },
        { "chek a b", ["unknown command 'chek' (did you mean check?)"] },
        { "valdate x", ["unknown command 'valdate' (did you mean validate?)"] },
        { "frobnicate", ["unknown command 'frobnicate'; the commands of 'migcompat' are check, validate, format, scan, import, rules, serve, agent, targets, demo, hosts, vms, claims, migrate-xml, libvirt-hook, placement, export, plan"] },
        { "import mdevctl-typs x", ["unknown command 'mdevctl-typs' (did you mean mdevctl-types?)"] },
        { "import vmware-vmx x", ["unknown command 'vmware-vmx'; the commands of 'migcompat import' are mdevctl-types, mdevctl-list, nodedev-xml, domain-xml"] },
        { "rules lst", ["unknown command 'lst' (did you mean list?)"] },
        { "", ["'migcompat' needs a command: check, validate, format, scan, import, rules, serve, agent, targets, demo, hosts, vms, claims, migrate-xml, libvirt-hook, placement, export, plan"] },
        { "import", ["'migcompat import' needs a command: mdevctl-types, mdevctl-list, nodedev-xml, domain-xml"] },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public async Task A_bad_command_line_is_explained_in_the_users_words_once_and_exits_2(string commandLine, string[] messages)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var expected = string.Concat(messages.Select(m => "migcompat: error: " + m + "\n")) + "Run 'migcompat --help' or 'migcompat COMMAND --help' for usage.\n";
        Assert.Equal(expected, result.Stderr);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate -- --weird.desc", "--weird.desc")]
    [InlineData("validate ./--weird.desc", "./--weird.desc")]
    [InlineData("validate --format json -- --weird.desc", "--weird.desc")]
    [InlineData("validate -- -f", "-f")]
    [InlineData("format -- --weird.desc", "--weird.desc")]
    [InlineData("check -- --weird.desc -x", "--weird.desc")]
    [InlineData("validate @args.rsp", "@args.rsp")]
    [InlineData("format @gpu.desc", "@gpu.desc")]
    public async Task After_double_dash_or_as_a_path_a_name_starting_with_a_dash_or_an_at_sign_is_read_as_a_file(string commandLine, string file)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(file + ":0:0: error MCC001: no such file", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown option", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("targets --server http://127.0.0.1:1 --from h --device d --limit -5")]
    public async Task A_negative_number_is_a_value_not_an_unknown_option(string commandLine)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' '));

        Assert.DoesNotContain("unknown option", result.Stderr, StringComparison.Ordinal);
    }
}
