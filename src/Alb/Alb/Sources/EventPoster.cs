using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using Edge.Kubernetes;
using k8s.Models;

namespace Alb.Sources;

/// <summary>
/// Posts the diagnostics of Ingresses as core/v1 Events on them: each diagnostic once per process (a diagnostic that
/// disappears and comes back is posted again), at most <see cref="Burst"/> per round and <see cref="PerMinute"/> per
/// minute; the rest wait for a later round.
/// </summary>
internal sealed class EventPoster(KubeApi api, string identity, TimeProvider time)
{
    public const int Burst = 25;
    public const int PerMinute = 120;
    private const string IngressPrefix = "Ingress ";

    private readonly HashSet<Diagnostic> _posted = [];
    private readonly Queue<long> _recent = new();

    /// <summary>Events posted since start.</summary>
    public int Posted { get; private set; }

    public async Task PostAsync(ImmutableArray<Diagnostic> diagnostics, Func<string, string, V1Ingress?> find, CancellationToken term)
    {
        var current = diagnostics.Where(d => d.Object.StartsWith(IngressPrefix, StringComparison.Ordinal) && d.Severity != Severity.Info).ToHashSet();
        _posted.IntersectWith(current); // forget what was fixed, so it is posted again if it returns
        var round = 0;
        foreach (var d in current.Where(d => !_posted.Contains(d)).OrderBy(d => d.Object, StringComparer.Ordinal).ThenBy(d => d.Code, StringComparer.Ordinal))
        {
            while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek()) > TimeSpan.FromMinutes(1))
            {
                _recent.Dequeue();
            }

            if (round >= Burst || _recent.Count >= PerMinute)
            {
                return;
            }

            var (ns, name) = ObjectNames.SplitRef(d.Object[IngressPrefix.Length..]);
            if (find(ns, name) is not { } ingress)
            {
                continue;
            }

            term.ThrowIfCancellationRequested();
            var now = time.GetUtcNow().UtcDateTime;
            await api.CreateAsync(ResourceKind.Events, ns, new Corev1Event
            {
                ApiVersion = "v1",
                Kind = "Event",
                Metadata = new V1ObjectMeta { GenerateName = name + ".", NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", NamespaceProperty = ns, Name = name, Uid = ingress.Metadata.Uid, ResourceVersion = ingress.Metadata.ResourceVersion },
                Reason = d.Code,
                Message = d.Field is null ? d.Message : $"{d.Field}: {d.Message}",
                Type = "Warning", // infos are not posted; errors and warnings both need a look
                Source = new V1EventSource { Component = "alb" },
                ReportingComponent = "edge.io/alb",
                ReportingInstance = identity,
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, term).ConfigureAwait(false);
            _posted.Add(d);
            _recent.Enqueue(time.GetTimestamp());
            Posted++;
            round++;
        }
    }
}
