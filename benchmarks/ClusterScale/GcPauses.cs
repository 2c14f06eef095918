using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

/// <summary>
/// Every GC pause of a .NET process (from suspending its threads to resuming them), read live over EventPipe: when
/// each began (UTC), how long it held the process, and the generation collected (-1: none started in it, such as a
/// background GC's second pause).
/// </summary>
internal sealed class GcPauses : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;
    private readonly List<(DateTime Began, double Ms, int Generation)> _pauses = [];

    public GcPauses(int pid)
    {
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
        _session = new DiagnosticsClient(pid).StartEventPipeSession(provider, requestRundown: false);
        var source = new EventPipeEventSource(_session.EventStream);
        DateTime? suspended = null;
        var generation = -1; // the deepest generation collected during the pause (a background GC's pauses: 2)
        source.Clr.GCSuspendEEStart += e =>
        {
            suspended = e.TimeStamp.ToUniversalTime();
            generation = -1;
        };
        source.Clr.GCStart += e => generation = Math.Max(generation, e.Depth);
        source.Clr.GCRestartEEStop += e =>
        {
            if (suspended is { } began)
            {
                lock (_pauses)
                {
                    _pauses.Add((began, (e.TimeStamp.ToUniversalTime() - began).TotalMilliseconds, generation));
                }

                suspended = null;
            }
        };
        _reading = Task.Run(source.Process);
    }

    /// <summary>Stops reading; the pauses seen until then.</summary>
    public List<(DateTime Began, double Ms, int Generation)> Stop()
    {
        _session.Stop();
        _reading.Wait(TimeSpan.FromSeconds(10));
        lock (_pauses)
        {
            return [.. _pauses];
        }
    }

    public void Dispose() => _session.Dispose();
}
