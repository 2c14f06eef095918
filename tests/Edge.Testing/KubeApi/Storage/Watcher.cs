using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Edge.Testing.KubeApi;

/// <summary>What a watch stream writes next: an event, a bookmark, an ERROR Status, or the end.</summary>
internal sealed record WatchMessage(string Type, JsonObject? Object, long BookmarkVersion = 0, bool InitialEventsEnd = false)
{
    public static WatchMessage Close { get; } = new("CLOSE", null);
}

/// <summary>How a fault drops a watch: silently (stop writing, keep the socket open, no FIN) or with a TCP reset.</summary>
public enum WatchDropMode
{
    Silent,
    Abort,
}

/// <summary>
/// One open watch: its filter and its queue. The store offers every event under its lock, so the queue holds events in
/// strict resourceVersion order with nothing skipped; the HTTP side drains it.
/// </summary>
internal sealed class Watcher
{
    private readonly Channel<WatchMessage> _queue = Channel.CreateUnbounded<WatchMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<WatchDropMode> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, bool bookmarks, RequestInfo request)
    {
        Type = type;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
        Bookmarks = bookmarks;
        Request = request;
    }

    public ResourceType Type { get; }

    public string? Namespace { get; }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public bool Bookmarks { get; }

    /// <summary><c>sendInitialEvents=true</c>: the initial state, then a bookmark annotated <c>k8s.io/initial-events-end</c>.</summary>
    public bool SendInitialEvents { get; init; }

    public RequestInfo Request { get; }

    public ChannelReader<WatchMessage> Reader => _queue.Reader;

    /// <summary>Completes when a fault drops this watch.</summary>
    public Task<WatchDropMode> Dropped => _dropped.Task;

    public void Drop(WatchDropMode mode) => _dropped.TrySetResult(mode);

    public bool Matches(JsonObject obj) =>
        (Namespace is null || (string?)obj["metadata"]?["namespace"] == Namespace) && Labels.Matches(obj) && Fields.Matches(obj);

    /// <summary>Queues an event as this watch sees it: an update entering the selector is ADDED, leaving it DELETED.</summary>
    public void Offer(StoreEvent e)
    {
        if (e.Group != Type.Group || e.Plural != Type.Plural)
        {
            return;
        }

        var now = Matches(e.Object);
        var before = e.Previous is not null && Matches(e.Previous);
        var type = e.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => now ? "DELETED" : null,
            _ => (before, now) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            Enqueue(new WatchMessage(type, e.Object));
        }
    }

    public void Enqueue(WatchMessage message) => _queue.Writer.TryWrite(message);
}
