using Alb.Core.Annotations;
using Alb.Core.Translation;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The Ingresses of one Alb, indexed so that a review translates only the Ingresses that can change the candidate's
/// fate: per host (<c>""</c> = rules without a host), those with a path that may equal one of the candidate's (keyed
/// coarsely: the path without trailing '/', whatever the pathType, so regex hosts are covered too), and those with a
/// host-wide annotation (regex mode, aliases, client certificates, www redirect, passthrough). Which of them actually
/// owns a path is left to alb's translation: a refused or canary Ingress owns nothing, and the oldest wins.
/// </summary>
internal sealed class AdmissionIndex
{
    /// <summary>
    /// At most this many Ingresses per bucket, oldest first: the oldest served one is the owner, so the answer is exact
    /// unless this many older Ingresses of one host and path are all refused. It bounds a review's cost whatever the cluster.
    /// </summary>
    public const int MaxPerBucket = 64;

    /// <summary>Keys that act on every path of a host, whichever Ingress of the host sets them.</summary>
    private static readonly string[] HostWideKeys =
        [.. new[] { "use-regex", "rewrite-target", "server-alias", "auth-tls-secret", "from-to-www-redirect", "ssl-passthrough" }.Select(k => AnnotationCatalog.Prefix + k)];

    private readonly Dictionary<string, HostEntry> _hosts = new(StringComparer.Ordinal);
    private readonly List<V1Ingress> _defaultBackends = [];

    private AdmissionIndex(IngressClassFilter filter) => Filter = filter;

    /// <summary>Which Ingresses are this Alb's: alb's own class rules (<c>--ingress-class</c>, <c>--controller-class</c>, IngressClass objects).</summary>
    public IngressClassFilter Filter { get; }

    /// <summary>How many Ingresses of this Alb were indexed.</summary>
    public int Count { get; private set; }

    /// <param name="oldestFirst">Every Ingress of the cluster, in alb's order (<see cref="IngressAge"/>).</param>
    public static AdmissionIndex Build(IReadOnlyList<V1Ingress> oldestFirst, IReadOnlyList<V1IngressClass> classes, TranslationOptions options)
    {
        var index = new AdmissionIndex(new IngressClassFilter(classes, options));
        foreach (var ingress in oldestFirst)
        {
            if (ingress.Metadata?.Name is not null && index.Filter.Accepts(ingress))
            {
                index.Add(ingress);
            }
        }

        return index;
    }

    /// <summary>
    /// The Ingresses to translate with <paramref name="candidate"/>: for each of its hosts, the host-wide ones and those
    /// sharing a path key, oldest first, at most <see cref="MaxPerBucket"/> each; never the candidate itself (by namespace/name).
    /// </summary>
    public IReadOnlyCollection<V1Ingress> Neighbours(V1Ingress candidate)
    {
        var self = IngressAge.Key(candidate);
        var found = new HashSet<V1Ingress>(ReferenceEqualityComparer.Instance);
        var rules = candidate.Spec?.Rules ?? [];
        foreach (var rule in rules)
        {
            if (rule is null || !_hosts.TryGetValue(rule.Host ?? "", out var entry))
            {
                continue;
            }

            Take(entry.HostWide, self, found);
            foreach (var path in rule.Http?.Paths ?? [])
            {
                if (path is not null && entry.ByPath.TryGetValue(PathKey(path.Path), out var sharing))
                {
                    Take(sharing, self, found);
                }
            }
        }

        if (rules.Count == 0 && candidate.Spec?.DefaultBackend is not null)
        {
            Take(_defaultBackends, self, found);
        }

        return found;
    }

    /// <summary>A path as a coarse key: equal for every path alb could treat as the same one (Prefix trims '/', regex hosts do not).</summary>
    internal static string PathKey(string? path)
    {
        var trimmed = string.IsNullOrEmpty(path) ? "/" : path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    private void Add(V1Ingress ingress)
    {
        Count++;
        var rules = ingress.Spec?.Rules ?? [];
        if (rules.Count == 0 && ingress.Spec?.DefaultBackend is not null)
        {
            _defaultBackends.Add(ingress);
        }

        var hostWide = HasHostWideKey(ingress);
        foreach (var rule in rules.Where(r => r is not null))
        {
            var host = rule.Host ?? "";
            if (!_hosts.TryGetValue(host, out var entry))
            {
                entry = new HostEntry();
                _hosts[host] = entry;
            }

            if (hostWide && (entry.HostWide.Count == 0 || !ReferenceEquals(entry.HostWide[^1], ingress)))
            {
                entry.HostWide.Add(ingress);
            }

            foreach (var path in (rule.Http?.Paths ?? []).Where(p => p is not null))
            {
                var key = PathKey(path.Path);
                if (!entry.ByPath.TryGetValue(key, out var list))
                {
                    list = [];
                    entry.ByPath[key] = list;
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], ingress))
                {
                    list.Add(ingress);
                }
            }
        }
    }

    private static bool HasHostWideKey(V1Ingress ingress)
    {
        var annotations = ingress.Metadata.Annotations;
        if (annotations is null || annotations.Count == 0)
        {
            return false;
        }

        foreach (var key in HostWideKeys)
        {
            if (annotations.ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private static void Take(List<V1Ingress> bucket, (string Namespace, string Name) self, HashSet<V1Ingress> found)
    {
        var taken = 0;
        foreach (var ingress in bucket)
        {
            if (taken == MaxPerBucket)
            {
                return;
            }

            if (IngressAge.Key(ingress) != self)
            {
                found.Add(ingress);
                taken++;
            }
        }
    }

    private sealed class HostEntry
    {
        public Dictionary<string, List<V1Ingress>> ByPath { get; } = new(StringComparer.Ordinal);

        public List<V1Ingress> HostWide { get; } = [];
    }
}
