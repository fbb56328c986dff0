using Spectre.Console;

namespace MigCompat.Cli.Output;

/// <summary>
/// A progress bar on stderr for long work, shown only when stderr is the process's own terminal: piped,
/// redirected or captured output (and so every <c>--format json</c> consumer) sees nothing of it.
/// </summary>
internal static class TerminalProgress
{
    /// <summary>Runs <paramref name="work"/>, which calls the action it is given once per unit done, with a bar of <paramref name="total"/> units when on a terminal.</summary>
    /// <param name="stderr">The command's error writer; a bar is drawn only when it is the console's and not redirected.</param>
    /// <param name="what">What is being done, e.g. "storing hosts".</param>
    /// <param name="total">How many units there are.</param>
    /// <param name="work">The work; it calls its argument after each unit.</param>
    /// <returns>When the work is done.</returns>
    public static async Task RunAsync(TextWriter stderr, string what, int total, Func<Action, Task> work)
    {
        if (!OnTerminal(stderr))
        {
            await work(static () => { });
            return;
        }

        await Bar().StartAsync(async context =>
        {
            var task = context.AddTask(what, maxValue: total);
            await work(() => task.Increment(1));
        });
    }

    /// <summary>Waits for <paramref name="work"/>, with a bar that shows <paramref name="progress"/> (units done, and the total once known) when on a terminal.</summary>
    /// <param name="stderr">The command's error writer; a bar is drawn only when it is the console's and not redirected.</param>
    /// <param name="what">What is being done, e.g. "loading hosts".</param>
    /// <param name="progress">Reads how far the work is; polled a few times a second.</param>
    /// <param name="work">The work, already running.</param>
    /// <returns>When the work is done (its exception, if it failed).</returns>
    public static async Task WatchAsync(TextWriter stderr, string what, Func<(int Done, int? Total)> progress, Task work)
    {
        if (OnTerminal(stderr))
        {
            await Bar().StartAsync(async context =>
            {
                var task = context.AddTask(what, maxValue: 1);
                while (!work.IsCompleted)
                {
                    var (done, total) = progress();
                    task.MaxValue = Math.Max(1, total ?? done + 1);
                    task.Value = done;
                    await Task.WhenAny(work, Task.Delay(250));
                }
            });
        }

        await work;
    }

    /// <summary>Waits for <paramref name="work"/> with a spinner and <paramref name="what"/> when on a terminal (work of unknown length, such as a server computing a plan).</summary>
    /// <typeparam name="T">The work's result.</typeparam>
    /// <param name="stderr">The command's error writer; a spinner is drawn only when it is the console's and not redirected.</param>
    /// <param name="what">What is being done.</param>
    /// <param name="work">The work, already running.</param>
    /// <returns>The work's result.</returns>
    public static async Task<T> SpinAsync<T>(TextWriter stderr, string what, Task<T> work)
    {
        if (OnTerminal(stderr))
        {
            await AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Status()
                .StartAsync(what, async _ => await Task.WhenAny(work));
        }

        return await work;
    }

    private static bool OnTerminal(TextWriter stderr) => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    private static Progress Bar() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
}
