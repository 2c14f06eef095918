using Alb.Core.Routing;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using Edge.Kubernetes;
using k8s.Models;

namespace Alb.Sources;

/// <summary>What alb reads from a cluster before it listens: the ConfigMap, for the listener limits it sets.</summary>
internal static class ClusterStart
{
    /// <summary>How long alb waits at start for the API server to answer the ConfigMap read before using defaults.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<GlobalSettings> SettingsAsync(KubeApi api, TranslationOptions options)
    {
        if (options.ConfigMap is not { } reference)
        {
            return GlobalSettings.Default;
        }

        var (ns, name) = ObjectNames.SplitRef(reference);
        var backoff = Backoff.Default();
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            try
            {
                var configMap = await api.GetAsync<V1ConfigMap>(ResourceKind.ConfigMaps, ns, name, deadline.Token).ConfigureAwait(false);
                var snapshot = new ClusterSnapshot([], [], [], [], [], configMap is null ? [] : [configMap]);
                return Translator.Translate(snapshot, options).Table.Settings;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException or OperationCanceledException)
            {
                if (deadline.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync($"alb serve: ConfigMap {reference} not readable within {Wait.TotalSeconds:0} s ({e.Message}): listener limits use their defaults").ConfigureAwait(false);
                    return GlobalSettings.Default;
                }

                try
                {
                    await Task.Delay(backoff.Next(), deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // the next try reports
                }
            }
        }
    }
}
