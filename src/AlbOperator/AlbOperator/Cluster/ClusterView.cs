using AlbOperator.Cli;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Webhook;
using Edge.Kubernetes;
using k8s;
using k8s.Models;

namespace AlbOperator.Cluster;

/// <summary>
/// What every replica watches, leader or not, so a new leader starts from a full cache: the Albs, the objects made
/// for them (by the owner labels), every IngressClass and Ingress (for the admission reviewer), the webhook's Secret
/// and its ValidatingWebhookConfiguration. Changes are coalesced into <see cref="AlbChanges"/> and
/// <see cref="WebhookChanges"/>; nothing here writes.
/// </summary>
internal sealed partial class ClusterView : BackgroundService
{
    /// <summary>The label selector of the owned-object informers: made by alb-operator for some Alb.</summary>
    public static readonly string OwnedSelector = $"{AlbLabels.ManagedBy}={AlbLabels.Manager},{AlbApi.AlbNameLabel}";

    private readonly List<Func<CancellationToken, Task>> _starts = [];
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public ClusterView(KubeApi api, RunOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<ClusterView>();
        AlbChanges = Coalescer.Default(time);
        WebhookChanges = Coalescer.Default(time);
        Informer<T> Start<T>(ResourceKind kind, string? ns, Selectors? selectors, Coalescer? changes)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var informer = new Informer<T>(api, kind, ns, selectors, null, time, loggers.CreateLogger("AlbOperator.Cluster." + kind.Plural));
            if (changes is not null)
            {
                informer.Changed += changes.Signal;
            }

            _starts.Add(informer.RunAsync);
            return informer;
        }

        Albs = Start<KubeObject>(OperatorKinds.Albs, null, null, AlbChanges);
        Owned = OperatorKinds.Owned.Where(k => k != ResourceKind.IngressClasses)
            .ToDictionary(k => k, k => Start<KubeObject>(k, null, new Selectors(Label: OwnedSelector), AlbChanges));
        IngressClasses = Start<V1IngressClass>(ResourceKind.IngressClasses, null, null, AlbChanges);
        Ingresses = Start<V1Ingress>(ResourceKind.Ingresses, null, null, null);
        WebhookSecret = Start<V1Secret>(ResourceKind.Secrets, options.Namespace, new Selectors(Field: $"metadata.name={WebhookNames.Secret}"), WebhookChanges);
        WebhookConfiguration = Start<KubeObject>(OperatorKinds.WebhookConfigurations, null, new Selectors(Field: $"metadata.name={WebhookNames.Configuration}"), WebhookChanges);
        WebhookSecret.Changed += () => SecretChanged?.Invoke();
    }

    public Informer<KubeObject> Albs { get; }

    /// <summary>Owned kinds but IngressClasses, each filtered by <see cref="OwnedSelector"/>.</summary>
    public IReadOnlyDictionary<ResourceKind, Informer<KubeObject>> Owned { get; }

    /// <summary>Every IngressClass (the owned ones are those with the owner labels).</summary>
    public Informer<V1IngressClass> IngressClasses { get; }

    /// <summary>Every Ingress in the cluster: for the admission reviewer.</summary>
    public Informer<V1Ingress> Ingresses { get; }

    public Informer<V1Secret> WebhookSecret { get; }

    public Informer<KubeObject> WebhookConfiguration { get; }

    /// <summary>An Alb or an owned object changed.</summary>
    public Coalescer AlbChanges { get; }

    /// <summary>The webhook's Secret or configuration changed.</summary>
    public Coalescer WebhookChanges { get; }

    public event Action? SecretChanged;

    /// <summary>Every informer the reconciler reads has listed once.</summary>
    public Task Synced => Task.WhenAll([Albs.FirstSync, IngressClasses.FirstSync, .. Owned.Values.Select(i => i.FirstSync)]);

    /// <summary>The Albs now, parsed; one that does not parse is logged and left out.</summary>
    public IReadOnlyList<AlbResource> AlbResources()
    {
        var albs = new List<AlbResource>();
        foreach (var item in Albs.Items)
        {
            if (AlbJson.TryDeserialize(KubernetesJson.Serialize(item), out var alb, out var error))
            {
                albs.Add(alb!);
            }
            else if (FirstTime($"{item.Metadata.Uid}@{item.Metadata.ResourceVersion}"))
            {
                LogUnreadable(_logger, item.Metadata.NamespaceProperty ?? "", item.Metadata.Name ?? "", error ?? "");
            }
        }

        return [.. albs.OrderBy(a => a.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(a => a.Metadata.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every watched object labelled for the Alb <paramref name="names"/>, with its kind.</summary>
    public IReadOnlyList<(ResourceKind Kind, IKubernetesObject<V1ObjectMeta> Object)> OwnedBy(AlbNames names)
    {
        var found = new List<(ResourceKind, IKubernetesObject<V1ObjectMeta>)>();
        foreach (var (kind, informer) in Owned)
        {
            found.AddRange(informer.Items.Where(o => Labelled(o, names)).Select(o => (kind, (IKubernetesObject<V1ObjectMeta>)o)));
        }

        found.AddRange(IngressClasses.Items.Where(o => Labelled(o, names)).Select(o => (ResourceKind.IngressClasses, (IKubernetesObject<V1ObjectMeta>)o)));
        return found;
    }

    /// <summary>What an Alb's reconcile depends on: the Alb's and its objects' resourceVersions. Equal: nothing to do.</summary>
    public string Fingerprint(AlbResource alb) =>
        string.Join('|', OwnedBy(AlbNames.Of(alb))
            .Select(o => $"{o.Kind.Kind}/{o.Object.Metadata.NamespaceProperty}/{o.Object.Metadata.Name}@{o.Object.Metadata.ResourceVersion}")
            .Order(StringComparer.Ordinal)
            .Prepend($"{alb.Metadata.Uid}@{alb.Metadata.ResourceVersion}"));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_starts.Select(run => Task.Run(() => run(stoppingToken), CancellationToken.None)));

    private bool FirstTime(string version)
    {
        lock (_unreadable)
        {
            return _unreadable.Add(version);
        }
    }

    private static bool Labelled(IKubernetesObject<V1ObjectMeta> value, AlbNames names) =>
        value.Metadata.Labels is { } labels
        && labels.TryGetValue(AlbApi.AlbNamespaceLabel, out var ns) && ns == names.Namespace
        && labels.TryGetValue(AlbApi.AlbNameLabel, out var name) && name == names.Name;

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Alb {Namespace}/{Name} cannot be read, skipped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string @namespace, string name, string reason);
}
