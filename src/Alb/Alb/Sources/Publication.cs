using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using Alb.Observability;
using Alb.Proxy;

namespace Alb.Sources;

/// <summary>
/// The one way a translation reaches service, whatever its source: publish it, log the diagnostics that are new since
/// the last one, and tell whoever listens (the leader's Ingress status and Events).
/// </summary>
internal sealed partial class Publication(ConfigPublisher publisher, AlbMetrics metrics, TimeProvider time, ILogger<Publication> logger)
{
    private readonly Lock _lock = new();
    private HashSet<Diagnostic> _reported = [];

    /// <summary>After every publication (applied, unchanged or failed), with its diagnostics.</summary>
    public event Action<TranslationResult>? Published;

    /// <summary>The last translation handed in.</summary>
    public TranslationResult? Last { get; private set; }

    /// <summary>Reads the source, translates and publishes, timing each stage (<c>alb_rebuild_duration_seconds</c>).</summary>
    public Rebuild Rebuild(Func<(ClusterSnapshot Snapshot, ImmutableArray<Diagnostic> Diagnostics)> read, Func<ClusterSnapshot, TranslationResult> translate)
    {
        var started = time.GetTimestamp();
        var (snapshot, readDiagnostics) = read();
        var translating = time.GetTimestamp();
        var result = translate(snapshot).AfterReading(readDiagnostics);

        var publishing = time.GetTimestamp();
        var outcome = Apply(result);
        var rebuild = new Rebuild(outcome, snapshot.Ingresses.Length, time.GetElapsedTime(started, translating), time.GetElapsedTime(translating, publishing), time.GetElapsedTime(publishing));
        metrics.Rebuilt(rebuild.Read, rebuild.Translate, rebuild.Publish);
        return rebuild;
    }

    public PublishOutcome Apply(TranslationResult result)
    {
        PublishOutcome outcome;
        lock (_lock)
        {
            outcome = publisher.Publish(result);
            Report(result.Diagnostics);
            Last = result;
        }

        Published?.Invoke(result);
        return outcome;
    }

    /// <summary>Logs each diagnostic once, when it first appears; infos go to debug.</summary>
    private void Report(ImmutableArray<Diagnostic> diagnostics)
    {
        var current = diagnostics.ToHashSet();
        foreach (var d in diagnostics.Where(d => !_reported.Contains(d)))
        {
            var level = d.Severity switch { Severity.Error => LogLevel.Error, Severity.Warning => LogLevel.Warning, _ => LogLevel.Debug };
            LogDiagnostic(logger, level, d.Code, d.Object, d.Field ?? "-", d.Message);
        }

        _reported = current;
    }

    [LoggerMessage(EventId = 300, Message = "{Code} {Object} {Field}: {Message}")]
    private static partial void LogDiagnostic(ILogger logger, LogLevel level, string code, string @object, string field, string message);
}

/// <summary>One rebuild: its outcome, the Ingresses read, and how long each stage took.</summary>
internal sealed record Rebuild(PublishOutcome Outcome, int Ingresses, TimeSpan Read, TimeSpan Translate, TimeSpan Publish);
