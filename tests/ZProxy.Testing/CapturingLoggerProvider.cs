using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ZProxy.Testing;

/// <summary>Keeps every log entry at or above a level, so a test can assert that a server logged no errors.</summary>
public sealed class CapturingLoggerProvider(LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly LogLevel _minimum = minimum;

    /// <summary>The entries captured so far.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider._entries.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), exception));
            }
        }
    }
}

/// <summary>One captured log entry.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, string Message, Exception? Exception);
