namespace Edge.Testing.KubeApi;

/// <summary>Settings of a <see cref="TestApiServer"/>; the defaults suit most tests.</summary>
public sealed record TestApiServerOptions
{
    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How many past events a watch can resume from (older versions get 410 Expired).</summary>
    public int EventWindow { get; init; } = 10_000;

    /// <summary>The interval of periodic BOOKMARK events on watches that allow them (a real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a watch without <c>timeoutSeconds</c> stays open.</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Namespaces that exist from the start.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system", "kube-public", "edge-system"];

    /// <summary>Called when a request ends (a watch: when its stream ends), e.g. to print a request log.</summary>
    public Action<RequestInfo>? OnRequestCompleted { get; init; }

    /// <summary>
    /// Serve HTTPS with a certificate for 127.0.0.1 issued by a CA made at start (<see cref="TestApiServer.CaPem"/>),
    /// as a real API server does; needed for in-cluster client configuration, which speaks only HTTPS.
    /// </summary>
    public bool Https { get; init; }

    /// <summary>The clock for timestamps, watch timeouts and bookmarks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
