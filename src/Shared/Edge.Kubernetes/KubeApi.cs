using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Edge.Kubernetes;

/// <summary>
/// The few API calls Edge makes, over the authenticated <see cref="HttpClient"/> of a KubernetesClient
/// <see cref="k8s.Kubernetes"/>: paged lists, watches read line by line with an idle bound, and reads and writes
/// of single objects. One code path for every kind (custom resources included), with the errors as
/// <see cref="KubeApiException"/>. Every call has a deadline: <see cref="RequestTimeout"/> for plain calls; a
/// watch ends after its <c>timeoutSeconds</c> or when no line arrives within its idle bound. Answers are parsed, and
/// callers resume, on the thread pool, never on the socket engine's thread (<see cref="LeaveIoThread"/>).
/// </summary>
public sealed class KubeApi(k8s.Kubernetes client)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The bound of one non-watch call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent as <c>User-Agent</c> (e.g. <c>alb/POD</c>), so the API server's audit log names the replica.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The API server's address.</summary>
    public Uri BaseUri => client.BaseUri;

    /// <summary>One page of a list: its items, the collection's resourceVersion, and the continue token (null on the last page).</summary>
    public async Task<ListPage<T>> ListAsync<T>(ResourceKind kind, string? ns, Selectors selectors, int limit, string? continueToken, CancellationToken ct) =>
        ListReader.Read<T>(await ListBytesAsync(kind, ns, selectors, limit, continueToken, ct).ConfigureAwait(false));

    /// <summary>One page of a list as the API server's UTF-8 JSON, unparsed (<see cref="ListReader"/> reads it).</summary>
    internal async Task<byte[]> ListBytesAsync(ResourceKind kind, string? ns, Selectors selectors, int limit, string? continueToken, CancellationToken ct)
    {
        var query = selectors.Query();
        query.Add(("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (continueToken is not null)
        {
            query.Add(("continue", continueToken));
        }

        using var response = await SendAsync(HttpMethod.Get, kind.Path(ns) + Query(query), null, null, $"list {kind}", ct).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks. Ends normally when the server closes the stream;
    /// throws <see cref="KubeApiException"/> (410 when the version is too old, as an HTTP status or an ERROR event) and
    /// <see cref="TimeoutException"/> when no line (event or bookmark) arrived within <paramref name="idle"/>: a watch
    /// can die silently, and only this bound notices.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind kind, string? ns, Selectors selectors, string resourceVersion, int timeoutSeconds, TimeSpan idle, [EnumeratorCancellation] CancellationToken ct)
    {
        var query = selectors.Query();
        query.Add(("watch", "true"));
        query.Add(("allowWatchBookmarks", "true"));
        query.Add(("resourceVersion", resourceVersion));
        query.Add(("timeoutSeconds", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, kind.Path(ns) + Query(query)));
        using var headersBound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headersBound.CancelAfter(RequestTimeout);
        Prepare(request);
        await Authenticate(request, headersBound.Token).ConfigureAwait(false);
        using var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersBound.Token).ConfigureAwait(false);
        await new LeaveIoThread();
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, $"watch {kind}", ct).ConfigureAwait(false);
        }

        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (true)
        {
            string? line;
            using (var lineBound = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                lineBound.CancelAfter(idle);
                try
                {
                    line = await reader.ReadLineAsync(lineBound.Token).ConfigureAwait(false);
                    await new LeaveIoThread(); // the event is parsed, and the informer updated, off the socket thread
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"watch {kind}: nothing for {idle.TotalSeconds:0} s (no event, no bookmark)");
                }
            }

            if (line is null)
            {
                yield break; // the server ended the watch (timeoutSeconds): the caller watches again from the last version
            }

            if (line.Length == 0)
            {
                continue;
            }

            using var raw = JsonDocument.Parse(line);
            var eventType = raw.RootElement.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
            var obj = raw.RootElement.TryGetProperty("object", out var objectElement) ? objectElement : default;
            if (eventType == "ERROR")
            {
                var status = obj.ValueKind == JsonValueKind.Object ? KubernetesJson.Deserialize<V1Status>(obj) : null;
                throw new KubeApiException(status?.Code ?? 500, status, $"watch {kind}");
            }

            var type = eventType switch
            {
                "ADDED" => WatchEventKind.Added,
                "MODIFIED" => WatchEventKind.Modified,
                "DELETED" => WatchEventKind.Deleted,
                "BOOKMARK" => WatchEventKind.Bookmark,
                _ => throw new KubeApiException($"watch {kind}: unknown event type \"{eventType}\""),
            };
            yield return new WatchEvent<T>(type, WithoutManagedFields(KubernetesJson.Deserialize<T>(obj)));
        }
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(ResourceKind kind, string? ns, string name, CancellationToken ct)
        where T : class
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, kind.Path(ns, name), null, null, $"get {kind} {name}", ct).ConfigureAwait(false);
            return await ReadAsync<T>(response, ct).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<T> CreateAsync<T>(ResourceKind kind, string? ns, T item, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, kind.Path(ns), KubernetesJson.Serialize(item!), Json, $"create {kind}", ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>PUT: a stale <c>metadata.resourceVersion</c> in <paramref name="item"/> is a 409.</summary>
    public async Task<T> ReplaceAsync<T>(ResourceKind kind, string? ns, string name, T item, CancellationToken ct, string? subresource = null)
    {
        using var response = await SendAsync(HttpMethod.Put, kind.Path(ns, name, subresource), KubernetesJson.Serialize(item!), Json, $"replace {kind} {name}", ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>A JSON merge patch (RFC 7386), of the object or of a subresource such as <c>status</c>.</summary>
    public async Task<T> MergePatchAsync<T>(ResourceKind kind, string? ns, string name, string patch, CancellationToken ct, string? subresource = null)
    {
        using var response = await SendAsync(HttpMethod.Patch, kind.Path(ns, name, subresource), patch, new MediaTypeHeaderValue("application/merge-patch+json"), $"patch {kind} {name}", ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>Server-side apply with <paramref name="fieldManager"/> (force: this manager owns what it applies).</summary>
    public async Task<T> ApplyAsync<T>(ResourceKind kind, string? ns, string name, T item, string fieldManager, CancellationToken ct)
    {
        var path = kind.Path(ns, name) + Query([("fieldManager", fieldManager), ("force", "true")]);
        using var response = await SendAsync(HttpMethod.Patch, path, KubernetesJson.Serialize(item!), new MediaTypeHeaderValue("application/apply-patch+yaml"), $"apply {kind} {name}", ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(ResourceKind kind, string? ns, string name, CancellationToken ct)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Delete, kind.Path(ns, name), """{"propagationPolicy":"Background"}""", Json, $"delete {kind} {name}", ct).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // already gone
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body, MediaTypeHeaderValue? type, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, pathAndQuery));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = type;
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(RequestTimeout);
        Prepare(request);
        await Authenticate(request, bound.Token).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, bound.Token).ConfigureAwait(false);
            await new LeaveIoThread(); // the answer (whole: ResponseContentRead) is parsed, and the caller goes on, on the pool
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{what}: no answer within {RequestTimeout.TotalSeconds:0} s");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorAsync(response, what, ct).ConfigureAwait(false);
        }
    }

    private void Prepare(HttpRequestMessage request)
    {
        if (UserAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }
    }

    private Task Authenticate(HttpRequestMessage request, CancellationToken ct) =>
        client.Credentials?.ProcessHttpRequestAsync(request, ct) ?? Task.CompletedTask;

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return WithoutManagedFields(KubernetesJson.Deserialize<T>(text));
    }

    /// <summary>
    /// Drops <c>metadata.managedFields</c> from an object read. Edge never reads them; kept, they would cost memory in
    /// every cached object, and an object written back (a Lease renewed) would send them again, which the native AOT
    /// build cannot: their <c>fieldsV1</c> is untyped JSON, which KubernetesClient.Aot's source-generated serializer
    /// does not write. A write without managedFields keeps the server's (the API server takes the live object's when
    /// an update has none).
    /// </summary>
    internal static T WithoutManagedFields<T>(T item)
    {
        if (item is IMetadata<V1ObjectMeta> { Metadata: { ManagedFields: not null } metadata })
        {
            metadata.ManagedFields = null;
        }

        return item;
    }

    private static async Task<KubeApiException> ErrorAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        V1Status? status = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (text.StartsWith('{'))
            {
                status = KubernetesJson.Deserialize<V1Status>(text);
            }
        }
        catch (JsonException)
        {
            // not a Status body: the HTTP code says enough
        }

        return new KubeApiException((int)response.StatusCode, status, what);
    }

    private static string Query(List<(string Name, string Value)> query) =>
        query.Count == 0 ? "" : "?" + string.Join('&', query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value)}"));
}

/// <summary>Label and field selectors of a list or watch (Kubernetes syntax; null = none).</summary>
public sealed record Selectors(string? Label = null, string? Field = null)
{
    public static readonly Selectors None = new();

    internal List<(string Name, string Value)> Query()
    {
        var query = new List<(string, string)>();
        if (!string.IsNullOrEmpty(Label))
        {
            query.Add(("labelSelector", Label));
        }

        if (!string.IsNullOrEmpty(Field))
        {
            query.Add(("fieldSelector", Field));
        }

        return query;
    }
}

/// <summary>One page of a list.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
