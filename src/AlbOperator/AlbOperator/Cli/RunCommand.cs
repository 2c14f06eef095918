using System.Text;
using System.Text.Json.Nodes;
using AlbOperator.Cluster;
using AlbOperator.Core.Admission;
using AlbOperator.Core.Desired;
using AlbOperator.Observability;
using AlbOperator.Reconciling;
using AlbOperator.Webhook;
using Edge.Hosting;
using Edge.Kubernetes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;

namespace AlbOperator.Cli;

/// <summary>
/// <c>alb-operator run</c>: the informers, the readiness probe and the Lease campaign on every replica; the admin
/// listener (HTTP) and the admission webhook (HTTPS, the certificate from the webhook Secret) on every replica; the
/// reconcile loop and the webhook registration on the leader only.
/// </summary>
internal static partial class RunCommand
{
    /// <summary>An AdmissionReview of one Ingress is small; the API server's own limit for a webhook request is 3 MiB.</summary>
    private const long MaxReviewBytes = 3 * 1024 * 1024;

    public static async Task<int> RunAsync(RunOptions options)
    {
        HealthEndpoints.ConfigureDefaultMetrics();
        var builder = EdgeHost.CreateBuilder();
        EdgeLogging.Configure(builder.Logging, "AlbOperator", EdgeLogging.Parse(options.LogLevel));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        KubeApi api;
        try
        {
            api = KubeClients.Create(options.Kubeconfig, $"alb-operator/{options.Identity}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A kubeconfig that is not one, or a Pod without its service account token: a usage error, in one line.
            throw new CommandLineException(options.Kubeconfig is { } file
                ? $"alb-operator run: --kubeconfig: \"{file}\" cannot be used: {e.Message.ReplaceLineEndings(" ")}"
                : $"alb-operator run: the in-cluster configuration cannot be used: {e.Message.ReplaceLineEndings(" ")}");
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(api);
        services.AddSingleton(options);
        services.AddSingleton(new DesiredStateOptions { AlbImage = options.AlbImage, VipdImage = options.VipdImage });
        services.AddSingleton(new OperatorMetrics(Metrics.DefaultFactory));
        services.AddSingleton<ClusterView>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterView>());
        services.AddSingleton<ApiProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiProbe>());
        services.AddSingleton<WebhookState>();
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<WebhookRegistrar>();
        services.AddSingleton<AlbReconciler>();
        services.AddSingleton<ReconcileLoop>();
        services.AddSingleton<LeaderDuties>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderDuties>());
        services.AddSingleton<IIngressReviewer, IngressReviewer>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxReviewBytes;
            kestrel.Listen(options.Admin, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => connection =>
                {
                    connection.Features.Set(AdminListener.Instance);
                    return next(connection);
                });
            });
            var certificates = kestrel.ApplicationServices.GetRequiredService<CertificateStore>();
            kestrel.Listen(options.Webhook, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                    ServerCertificateSelector = (_, _) => certificates.Current, // null until the leader made the Secret: the handshake fails
                });
            });
        });

        var app = builder.Build();
        var probe = app.Services.GetRequiredService<ApiProbe>();
        var reviewer = app.Services.GetRequiredService<IIngressReviewer>();
        var metrics = app.Services.GetRequiredService<OperatorMetrics>();
        app.MapWhen(
            context => context.Features.Get<AdminListener>() is not null,
            admin => admin.UseEdgeAdmin(() => probe.Ready, () => probe.Detail));
        app.Run(context => ReviewAsync(context, reviewer, metrics));

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AlbOperator.Run");
        LogStarting(logger, options.Identity, options.Namespace, options.LeaseName, options.Admin.ToString(), options.Webhook.ToString(),
            options.LeaseDuration.TotalSeconds, options.RenewDeadline.TotalSeconds, options.RetryPeriod.TotalSeconds);
        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"alb-operator run: cannot listen: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        return Environment.ExitCode;
    }

    /// <summary>The webhook listener: <c>POST /validate-ingress</c> (or the core's <c>/validate/ingresses</c>) with an AdmissionReview; anything else is 404 or 405.</summary>
    private static async Task ReviewAsync(HttpContext context, IIngressReviewer reviewer, OperatorMetrics metrics)
    {
        var response = context.Response;
        if (context.Request.Path != WebhookNames.IngressPath && context.Request.Path != IngressWebhook.Path)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        string answer;
        try
        {
            answer = reviewer.Respond(body);
        }
        catch (FormatException e)
        {
            metrics.Reviews.WithLabels("error").Inc();
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync($"not an AdmissionReview: {e.Message}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var allowed = JsonNode.Parse(answer)?["response"]?["allowed"]?.GetValue<bool>() == true;
        metrics.Reviews.WithLabels(allowed ? "allowed" : "denied").Inc();
        response.ContentType = "application/json";
        await response.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "alb-operator {Identity} in {Namespace}: Lease {Lease} ({LeaseDuration}/{RenewDeadline}/{RetryPeriod} s), admin {Admin}, webhook {Webhook}")]
    private static partial void LogStarting(ILogger logger, string identity, string @namespace, string lease, string admin, string webhook, double leaseDuration, double renewDeadline, double retryPeriod);

    private sealed class AdminListener
    {
        public static readonly AdminListener Instance = new();
    }
}
