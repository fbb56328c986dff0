using Microsoft.Extensions.Logging;

namespace MigCompat.Fleet.Tests.Service;

/// <summary>Hands every formatted log message to a callback, for tests that read what the service logged.</summary>
internal sealed class LineLogger(Action<string> write) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        write(formatter(state, exception));
}
