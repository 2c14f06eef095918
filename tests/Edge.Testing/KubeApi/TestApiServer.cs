using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Edge.Testing.KubeApi;

/// <summary>
/// An in-process Kubernetes API server for tests: Kestrel on 127.0.0.1 over plain HTTP/1.1, speaking enough of the API
/// (discovery, CRUD, patch, apply, watch, status subresources, finalizers, garbage collection) for KubernetesClient and
/// kubectl, with fault hooks. <see cref="RestartAsync"/> restarts it on the same port with its objects kept. Dispose it
/// to stop it; it never outlives the test.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    /// <summary>The bearer token the generated kubeconfig and clients send (the server accepts any).</summary>
    public const string Token = "edge-test-token";

    private readonly TestApiServerOptions _options;
    private readonly ResourceService _service;
    private readonly ServingCertificate? _certificate;
    private readonly string _address;
    private WebApplication _app;
    private CancellationTokenSource _stopping;

    private TestApiServer(TestApiServerOptions options, ResourceService service, ServingCertificate? certificate, WebApplication app, CancellationTokenSource stopping, string address, FaultInjector faults, RequestLog requests)
    {
        _options = options;
        _certificate = certificate;
        _service = service;
        _app = app;
        _stopping = stopping;
        _address = address;
        Url = new Uri($"{(certificate is null ? "http" : "https")}://{address}");
        Objects = new TestApiStore(service);
        Faults = faults;
        Requests = requests;
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Url { get; }

    /// <summary>Direct access to the stored objects.</summary>
    public TestApiStore Objects { get; }

    /// <summary>With <see cref="TestApiServerOptions.Https"/>: the CA certificate (PEM) clients must trust; else null.</summary>
    public string? CaPem => _certificate?.CaPem;

    /// <summary>The fault hooks.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Every request received, in order.</summary>
    public RequestLog Requests { get; }

    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestApiServerOptions();
        var store = new ObjectStore(options.EventWindow);
        var catalog = new ResourceCatalog();
        var service = new ResourceService(store, catalog, options.TimeProvider);
        foreach (var ns in options.Namespaces)
        {
            service.Create(ResourceCatalog.Namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, new WriteOptions(FieldManager: "test-setup"));
        }

        var faults = new FaultInjector(store);
        var requests = new RequestLog();
        var address = new StrongBox<string>("");
        var stopping = new CancellationTokenSource();
        var certificate = options.Https ? ServingCertificate.Create() : null;
        var app = await ListenAsync(options, options.Port, certificate, service, faults, requests, address, stopping.Token, cancellationToken);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        address.Value = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        return new TestApiServer(options, service, certificate, app, stopping, address.Value, faults, requests);
    }

    /// <summary>
    /// Restarts the server as a kube-apiserver restarts in front of its etcd: every connection and watch is dropped,
    /// the port refuses connections for <paramref name="downtime"/>, then the server listens on the same port again
    /// with every object and resourceVersion kept (watches can resume from versions inside the event window).
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken = default)
    {
        await StopAppAsync();
        await Task.Delay(downtime, cancellationToken);
        _stopping = new CancellationTokenSource();
        var address = new StrongBox<string>(_address);
        _app = await ListenAsync(_options, Url.Port, _certificate, _service, Faults, Requests, address, _stopping.Token, cancellationToken);
    }

    private static async Task<WebApplication> ListenAsync(TestApiServerOptions options, int port, ServingCertificate? certificate, ResourceService service, FaultInjector faults, RequestLog requests, StrongBox<string> address, CancellationToken stopping, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                if (certificate is not null)
                {
                    l.UseHttps(certificate.Server);
                }
            });
            k.Limits.MinResponseDataRate = null;
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var router = new ApiRouter(service, faults, requests, new WatchHandler(service, options, stopping), () => address.Value!)
        {
            OnCompleted = options.OnRequestCompleted,
        };
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Writes a kubeconfig (cluster at <see cref="Url"/>, a user with a dummy token, current context, namespace default); returns the path.</summary>
    public string WriteKubeconfig(string path)
    {
        var yaml = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: edge-test
              cluster:
                server: {Url.ToString().TrimEnd('/')}{(CaPem is null ? "" : $"\n    certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(CaPem))}")}
            users:
            - name: edge-test
              user:
                token: {Token}
            contexts:
            - name: edge-test
              context:
                cluster: edge-test
                user: edge-test
                namespace: default
            current-context: edge-test
            preferences: {"{}"}

            """;
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A KubernetesClient configuration for this server.</summary>
    public KubernetesClientConfiguration ClientConfiguration() => new()
    {
        Host = Url.ToString().TrimEnd('/'),
        AccessToken = Token,
        Namespace = "default",
        SslCaCerts = CaPem is null ? null : new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(CaPem)),
    };

    /// <summary>A KubernetesClient for this server (dispose it).</summary>
    public Kubernetes CreateClient() => new(ClientConfiguration());

    public async ValueTask DisposeAsync()
    {
        Faults.Reset();
        await StopAppAsync();
    }

    private async Task StopAppAsync()
    {
        await _stopping.CancelAsync(); // ends every watch, so the stop does not wait out their streams
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // connections still open after the grace period are dropped
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
