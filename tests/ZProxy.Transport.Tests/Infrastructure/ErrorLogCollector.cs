using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ZProxy.Transport.Tests.Infrastructure;

/// <summary>Collects Error-and-above log entries, so a test can assert that Kestrel logged none.</summary>
internal sealed class ErrorLogCollector : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ErrorLogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue($"{category} {eventId.Name}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
