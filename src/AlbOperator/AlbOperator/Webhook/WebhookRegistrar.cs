using System.Text.Json.Nodes;
using AlbOperator.Cli;
using AlbOperator.Cluster;
using AlbOperator.Core.Model;
using AlbOperator.Core.Reconcile;
using Edge.Kubernetes;
using k8s;
using k8s.Models;

namespace AlbOperator.Webhook;

/// <summary>
/// The leader's webhook duties: the certificate Secret exists and is fresh (<see cref="WebhookCertificates"/>), and
/// the ValidatingWebhookConfiguration matches <see cref="WebhookConfiguration.Desired"/> with its CA (server-side
/// apply, field manager <see cref="AlbApi.FieldManager"/>). Runs after every change of either object and every
/// <see cref="Resync"/>; a failure is retried with backoff (at most 10 s apart) and reported through <see cref="WebhookState"/>, and never
/// holds up the Albs.
/// </summary>
internal sealed partial class WebhookRegistrar(KubeApi api, RunOptions options, ClusterView cluster, WebhookState state, TimeProvider time, ILogger<WebhookRegistrar> logger)
{
    public static readonly TimeSpan Resync = TimeSpan.FromMinutes(10);

    public async Task RunAsync(CancellationToken term)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        while (!term.IsCancellationRequested)
        {
            var wait = Resync;
            try
            {
                await EnsureAsync(term).ConfigureAwait(false);
                state.Registered();
                backoff.Reset();
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException or System.Security.Cryptography.CryptographicException)
            {
                LogFailed(logger, e.Message);
                state.Failed(e.Message);
                wait = backoff.Next();
            }

            using var next = CancellationTokenSource.CreateLinkedTokenSource(term);
            next.CancelAfter(wait);
            await cluster.WebhookChanges.WaitAsync(next.Token).ConfigureAwait(false);
        }
    }

    private async Task EnsureAsync(CancellationToken term)
    {
        var ns = options.Namespace;
        var secret = await api.GetAsync<V1Secret>(ResourceKind.Secrets, ns, WebhookNames.Secret, term).ConfigureAwait(false);
        var files = CertificateFiles.From(secret);
        var action = WebhookCertificates.Check(files, ns, time.GetUtcNow());
        if (action != CertificateAction.Keep)
        {
            files = WebhookCertificates.Issue(action == CertificateAction.NewAll ? null : files, ns, time.GetUtcNow());
            term.ThrowIfCancellationRequested();
            if (secret is null)
            {
                await api.CreateAsync(ResourceKind.Secrets, ns, new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = new V1ObjectMeta { Name = WebhookNames.Secret, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "alb-operator" } },
                    Type = "kubernetes.io/tls",
                    Data = files.ToData(),
                }, term).ConfigureAwait(false);
            }
            else
            {
                secret.Data = files.ToData(); // a PUT with the version read: a concurrent change is a 409, retried
                await api.ReplaceAsync(ResourceKind.Secrets, ns, WebhookNames.Secret, secret, term).ConfigureAwait(false);
            }

            LogIssued(logger, action == CertificateAction.NewAll ? "a new CA and serving certificate" : "a new serving certificate", ns, WebhookNames.Secret);
        }

        var desired = WebhookConfiguration.Desired(ns, files!.CaPem);
        var observed = await api.GetAsync<KubeObject>(OperatorKinds.WebhookConfigurations, null, WebhookNames.Configuration, term).ConfigureAwait(false);
        if (observed is not null && Drift.Matches(JsonNode.Parse(KubernetesJson.Serialize(desired))!, JsonNode.Parse(KubernetesJson.Serialize(observed))!))
        {
            return;
        }

        term.ThrowIfCancellationRequested();
        await api.ApplyAsync(OperatorKinds.WebhookConfigurations, null, WebhookNames.Configuration, KubeObject.From(desired), AlbApi.FieldManager, term).ConfigureAwait(false);
        LogRegistered(logger, WebhookNames.Configuration, WebhookNames.Service, ns);
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Issued {What} in Secret {Namespace}/{Name}")]
    private static partial void LogIssued(ILogger logger, string what, string @namespace, string name);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Registered ValidatingWebhookConfiguration {Name} (Service {Namespace}/{Service}, failurePolicy Ignore)")]
    private static partial void LogRegistered(ILogger logger, string name, string service, string @namespace);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "Webhook registration failed, retrying (Albs report Degraded WebhookNotRegistered meanwhile): {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
