using Alb.Observability;
using Alb.Pipeline;
using Alb.Proxy;
using Alb.Sources;
using Alb.Tls;
using Alb.Core.Translation;
using Edge.Hosting;
using Edge.Kubernetes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;

namespace Alb.Cli;

/// <summary><c>alb serve</c>: wires the manifest source, the publisher and Kestrel + YARP's forwarder.</summary>
internal static partial class ServeCommand
{
    public static async Task<int> RunAsync(ServeOptions options)
    {
        // KubernetesClient reads a kubeconfig through reflection-based YAML: 0.3-0.7 s cold (the native AOT build's
        // KubernetesClient.Aot reads it source-generated). It runs beside the host's set-up instead of before it (in a
        // Pod the service account files are read, which is quick).
        var connecting = options.Cluster is { } early
            ? Task.Run(() => KubeClients.Create(early.Kubeconfig, $"alb/{early.Identity}"))
            : null;
        var transport = TransportTuning.From(Environment.GetEnvironmentVariable); // before anything starts: a bad value stops here
        var fast = Fast.FastFrontEnd.From(Environment.GetEnvironmentVariable);
        var fastTls = Fast.FastFrontEnd.TlsFrom(Environment.GetEnvironmentVariable);
        var rebuildNice = RebuildThread.NiceFrom(Environment.GetEnvironmentVariable);
        var backgroundSlice = ThreadSlices.MicrosecondsFrom(Environment.GetEnvironmentVariable);
        HealthEndpoints.ConfigureDefaultMetrics();
        var builder = EdgeHost.CreateBuilder();
        builder.WebHost.UseSockets(transport);
        EdgeLogging.Configure(builder.Logging, "Alb", EdgeLogging.Parse(options.LogLevel));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        var metrics = new AlbMetrics(Metrics.DefaultFactory);
        var requestMetrics = new RequestMetrics(Metrics.DefaultFactory);
        var time = TimeProvider.System;
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(requestMetrics);
        builder.Services.AddSingleton(options.Translation);
        builder.Services.AddSingleton<ConfigPublisher>();
        builder.Services.AddSingleton<Publication>();
        builder.Services.AddSingleton(sp => new RebuildThread(rebuildNice, backgroundSlice, sp.GetRequiredService<ILogger<RebuildThread>>()));
        builder.Services.AddHostedService(sp => new ThreadSlices(backgroundSlice, time, sp.GetRequiredService<ILogger<ThreadSlices>>()));
        // The first load happens before Kestrel is configured, so its limits can come from the ConfigMap. From a
        // cluster, only the ConfigMap is read first; the rest is published after every informer's first full list.
        TranslationResult? first = null;
        Core.Routing.GlobalSettings settings;
        if (options.Cluster is { } cluster)
        {
            var api = await connecting!.ConfigureAwait(false);
            settings = await ClusterStart.SettingsAsync(api, options.Translation).ConfigureAwait(false);
            builder.Services.AddSingleton(api);
            builder.Services.AddSingleton(cluster);
            builder.Services.AddSingleton<ClusterSource>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterSource>());
            builder.Services.AddHostedService<LeaderDuties>();
        }
        else
        {
            var directory = new ManifestDirectory(options.ManifestDirectory);
            var cache = new TranslationCache();
            first = ConfigLoop.Build(directory, options.Translation, cache);
            settings = first.Table.Settings;
            builder.Services.AddSingleton(directory);
            builder.Services.AddSingleton(cache);
            builder.Services.AddSingleton<ConfigLoop>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigLoop>());
        }

        var accessLog = new AccessLog(options.AccessLog, metrics.AccessLogDropped);
        builder.Services.AddSingleton(accessLog);
        builder.Services.AddSingleton(new ServePorts(options.Https.Port));
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(new UpstreamClient(settings));
        builder.Services.AddSingleton<ProxyHandler>();
        builder.Services.AddSingleton<SslPassthrough>();
        // One source for the request head limits and timeouts both Kestrel and alb's own front end apply.
        var front = new Fast.LoopSettings(
            TimeSpan.FromSeconds(settings.ClientHeaderTimeoutSeconds),
            TimeSpan.FromSeconds(Math.Max(settings.KeepAliveSeconds, 1)),
            new Core.Http1.RequestLimits(settings.LargeHeaderBufferSize, settings.LargeHeaderBuffers * settings.LargeHeaderBufferSize, 100),
            options.ShutdownTimeout);
        // The loops take the HTTPS listener too, unless ssl-passthrough must see each ClientHello before any TLS
        // (Kestrel's connection middleware does that) or ALB_FAST_TLS=0.
        fast &= !settings.UseProxyProtocol; // every connection starts with a PROXY header that Kestrel's middleware reads
        fastTls &= fast && !options.Translation.EnableSslPassthrough;
        if (fast)
        {
            Fast.FastFrontEnd.Add(builder.Services, options.Http, fastTls ? options.Https : null, front, metrics);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var publisher = kestrel.ApplicationServices.GetRequiredService<ConfigPublisher>();
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = null; // enforced per request from proxy-body-size
            limits.RequestHeadersTimeout = front.HeaderTimeout;
            // client-body-timeout: nginx times out when nothing arrives for that long between two reads. Kestrel's
            // closest guard is a minimum data rate after a grace period: 1 byte/s once the timeout has passed.
            // Kestrel takes only a grace period longer than its 1 s heartbeat: client-body-timeout 1 (valid for nginx) is 1.001 s
            // here (it stopped alb at start before); the general path's own read timeout answers at 1 s regardless.
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1, gracePeriod: TimeSpan.FromSeconds(Math.Max(settings.ClientBodyTimeoutSeconds, 1.001)));
            limits.KeepAliveTimeout = front.KeepAliveTimeout;
            limits.MaxRequestLineSize = front.Limits.MaxLineBytes;
            limits.MaxRequestHeadersTotalSize = front.Limits.MaxHeadBytes;
            limits.MaxRequestHeaderCount = front.Limits.MaxHeaders;
            limits.MaxConcurrentConnections = 100_000;
            limits.MaxConcurrentUpgradedConnections = 100_000;
            limits.Http2.MaxStreamsPerConnection = 128;
            limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;

            var proxyProtocol = settings.UseProxyProtocol ? new ProxyProtocolListener(settings) : null;
            kestrel.Listen(options.Http, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                CountConnections(listen, metrics, "http");
                if (proxyProtocol is not null)
                {
                    listen.Use(next => connection => proxyProtocol.InvokeAsync(connection, next));
                }
            });
            // The HTTPS port: with the loops' TLS, Kestrel gets their connections decrypted (TLS features set) on
            // the port's own endpoint, and those they give on raw (HTTP/2 offered, not TLS) on a second one with its TLS.
            kestrel.Listen(options.Https, listen => ConfigureHttps(listen, tls: !fastTls));
            if (fastTls)
            {
                kestrel.Listen(new Fast.KestrelTlsEndPoint(options.Https), listen => ConfigureHttps(listen, tls: true));
            }

            void ConfigureHttps(ListenOptions listen, bool tls)
            {
                // Decrypted connections are HTTP/1.1 (a client offering HTTP/2 goes to the endpoint with TLS).
                listen.Protocols = tls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                CountConnections(listen, metrics, "https");
                if (proxyProtocol is not null)
                {
                    listen.Use(next => connection => proxyProtocol.InvokeAsync(connection, next));
                }

                if (options.Translation.EnableSslPassthrough)
                {
                    var passthrough = kestrel.ApplicationServices.GetRequiredService<SslPassthrough>();
                    listen.Use(next => connection => passthrough.InvokeAsync(connection, next));
                }

                if (tls)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        HandshakeTimeout = TimeSpan.FromSeconds(10),
                        OnConnection = context => ValueTask.FromResult(ClientCertHandshake.Apply(
                            ServerTlsOptions.For(publisher.Current, context.ClientHelloInfo.ServerName), publisher.Current, context.ClientHelloInfo.ServerName, context.Connection)),
                    });
                }
            }

            kestrel.Listen(options.Admin, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => connection =>
                {
                    connection.Features.Set(AdminListener.Instance);
                    return next(connection);
                });
            });
        });

        var app = builder.Build();
        var diagnostics = first?.Diagnostics ?? [];
        if (first is not null)
        {
            app.Services.GetRequiredService<Publication>().Apply(first);
        }

        // Parsing and translating the first load leaves garbage many times the size of what is kept; give it back
        // to the OS once, before serving, so an idle alb stays small.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var publisher = app.Services.GetRequiredService<ConfigPublisher>();
        var handler = app.Services.GetRequiredService<ProxyHandler>();
        app.MapWhen(
            context => context.Features.Get<AdminListener>() is not null,
            admin => admin.UseEdgeAdmin(() => publisher.Ready, () => "no configuration loaded yet"));
        app.Run(handler.InvokeAsync);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Alb.Serve");
        LogStarting(logger, options.Cluster is { } c ? $"cluster {c.Kubeconfig ?? "(in-cluster)"}" : options.ManifestDirectory, options.Http.ToString(), options.Https.ToString(), options.Admin.ToString(),
            diagnostics.Count(d => d.Severity == Core.Diagnostics.Severity.Error), diagnostics.Count(d => d.Severity == Core.Diagnostics.Severity.Warning));

        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"alb serve: cannot listen: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            await accessLog.DisposeAsync().ConfigureAwait(false); // flushes the lines still queued
        }

        return 0;
    }

    private static void CountConnections(ListenOptions listen, AlbMetrics metrics, string name)
    {
        var gauge = metrics.ActiveConnections.WithLabels(name);
        listen.Use(next => async connection =>
        {
            gauge.Inc();
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                gauge.Dec();
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "alb serving {Source}: http {Http}, https {Https}, admin {Admin}; first load: {Errors} errors, {Warnings} warnings")]
    private static partial void LogStarting(ILogger logger, string source, string http, string https, string admin, int errors, int warnings);

    private sealed class AdminListener
    {
        public static readonly AdminListener Instance = new();
    }
}
