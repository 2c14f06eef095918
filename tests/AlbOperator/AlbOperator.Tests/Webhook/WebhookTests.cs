using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AlbOperator.Core.Model;
using AlbOperator.Core.StatusPlanning;
using AlbOperator.Tests.Fixtures;
using k8s.Models;
using static AlbOperator.Tests.Fixtures.TestCluster;

namespace AlbOperator.Tests.Webhook;

/// <summary>
/// The admission webhook: every replica serves HTTPS with the certificate the leader keeps in the Secret
/// alb-operator-webhook-tls, and the leader registers the ValidatingWebhookConfiguration with that CA. A failed
/// registration is Degraded on every Alb and holds nothing up.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string ServiceName = "alb-operator-webhook.default.svc";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private TestCluster _cluster = null!;
    private readonly List<OperatorProcess> _operators = [];

    public async Task InitializeAsync() => _cluster = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }

        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Every_replica_answers_admission_reviews_over_https_with_the_certificate_the_leader_made()
    {
        await StartOperatorsAsync(2);
        await EventuallyAsync(() => Secret() is not null, Wait, () => "the webhook Secret");
        var ca = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Secret()!.Data["ca.crt"]));
        Assert.Equal("kubernetes.io/tls", Secret()!.Type);
        Assert.Equal([_operators.Single(o => o.Identity == _cluster.LeaseHolder).UserAgent], _cluster.Writes().Where(w => w.Resource == "secrets").Select(w => w.UserAgent));

        var served = new List<string>();
        foreach (var op in _operators)
        {
            using var client = Client(op, ca, served);
            JsonNode? answer = null;
            var deadline = DateTime.UtcNow + Wait;
            while (answer is null)
            {
                try
                {
                    // The follower loads the Secret when its informer sees it: until then its handshake fails.
                    using var response = await client.PostAsync("/validate-ingress", new StringContent(Review("u-" + op.Identity), Encoding.UTF8, "application/json"));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                    answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
            }

            Assert.Equal("AdmissionReview", (string?)answer["kind"]);
            Assert.Equal("u-" + op.Identity, (string?)answer["response"]!["uid"]);
            Assert.True((bool)answer["response"]!["allowed"]!);

            using var bad = await client.PostAsync("/validate-ingress", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.GetAsync("/validate-ingress")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/other", new StringContent("{}"))).StatusCode);
            using (var core = await client.PostAsync("/validate/ingresses", new StringContent(Review("u-core"), Encoding.UTF8, "application/json")))
            {
                Assert.Equal("u-core", (string?)JsonNode.Parse(await core.Content.ReadAsStringAsync())!["response"]!["uid"]); // the core's path answers too
            }

            Assert.Contains("alb_operator_webhook_reviews_total{result=\"allowed\"} 2", await op.MetricsAsync(), StringComparison.Ordinal);
        }

        Assert.True(served.Count >= 2);
        Assert.Single(served.Distinct()); // one certificate for all replicas
    }

    [Fact]
    public async Task Ingresses_of_an_albs_class_are_judged_with_albs_translation_in_the_context_of_the_cluster()
    {
        await _cluster.CreateAlbAsync("default", "edge");
        _cluster.Api.Objects.Create(new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta { Name = "older", NamespaceProperty = "default" },
            Spec = new V1IngressSpec { IngressClassName = "edge", Rules = [Rule("shop.example.com")] },
        });
        await StartOperatorsAsync(1);
        await EventuallyAsync(() => Secret() is not null, Wait, () => "the webhook Secret");
        var ca = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Secret()!.Data["ca.crt"]));
        using var client = Client(_operators[0], ca, []);

        async Task<JsonNode> ReviewAsync(string name, string className, string host, string annotations = "{}")
        {
            var review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-NAME","kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},
                 "resource":{"group":"networking.k8s.io","version":"v1","resource":"ingresses"},"namespace":"default","operation":"CREATE",
                 "object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"NAME","namespace":"default","annotations":ANNOTATIONS},
                 "spec":{"ingressClassName":"CLASS","rules":[{"host":"HOST","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}}}
                """.Replace("NAME", name, StringComparison.Ordinal).Replace("ANNOTATIONS", annotations, StringComparison.Ordinal)
                .Replace("CLASS", className, StringComparison.Ordinal).Replace("HOST", host, StringComparison.Ordinal);
            using var response = await client.PostAsync("/validate-ingress", new StringContent(review, Encoding.UTF8, "application/json"));
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
        }

        var snippet = await ReviewAsync("snippet", "edge", "new.example.com", """{"nginx.ingress.kubernetes.io/configuration-snippet":"return 200;"}""");
        Assert.False((bool)snippet["allowed"]!);
        Assert.Equal(403, (int)snippet["status"]!["code"]!);
        Assert.Contains("ALB1603", (string)snippet["status"]!["message"]!, StringComparison.Ordinal);

        JsonNode? taken = null;
        await EventuallyAsync(async () => (bool)(taken = await ReviewAsync("newer", "edge", "shop.example.com"))["allowed"]! == false, Wait, () => "the path of the older Ingress refused");
        Assert.Contains("ALB1205", (string)taken!["status"]!["message"]!, StringComparison.Ordinal);

        Assert.True((bool)(await ReviewAsync("free", "edge", "free.example.com"))["allowed"]!);
        Assert.True((bool)(await ReviewAsync("theirs", "nginx", "shop.example.com", """{"nginx.ingress.kubernetes.io/configuration-snippet":"x"}"""))["allowed"]!); // not an Alb's class
    }

    private static V1IngressRule Rule(string host) => new()
    {
        Host = host,
        Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 80 } } } }] },
    };

    [Fact]
    public async Task The_leader_registers_the_webhook_configuration_with_its_ca_and_restores_it()
    {
        await StartOperatorsAsync(1);
        await EventuallyAsync(() => Configuration() is not null && Secret() is not null, Wait, () => "the ValidatingWebhookConfiguration");

        var hook = Assert.Single(Configuration()!.Webhooks);
        Assert.Equal("ingresses.alb.edge.io", hook.Name);
        Assert.Equal(Secret()!.Data["ca.crt"], hook.ClientConfig.CaBundle);
        Assert.Equal(("default", "alb-operator-webhook", "/validate-ingress", 443),
            (hook.ClientConfig.Service.NamespaceProperty, hook.ClientConfig.Service.Name, hook.ClientConfig.Service.Path, hook.ClientConfig.Service.Port));
        Assert.Equal(("Ignore", "None", 2), (hook.FailurePolicy, hook.SideEffects, hook.TimeoutSeconds));
        Assert.Equal(["v1"], hook.AdmissionReviewVersions);
        var rule = Assert.Single(hook.Rules);
        Assert.Equal(["networking.k8s.io"], rule.ApiGroups);
        Assert.Equal(["v1"], rule.ApiVersions);
        Assert.Equal(["ingresses"], rule.Resources);
        Assert.Equal(["CREATE", "UPDATE"], rule.Operations);
        Assert.Contains(Configuration()!.Metadata.ManagedFields, m => m.Manager == AlbApi.FieldManager && m.Operation == "Apply");

        // Deleted by hand: registered again.
        await _cluster.SendAsync(HttpMethod.Delete, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/alb-operator", null, "application/json");
        await EventuallyAsync(() => Configuration() is { } again && again.Webhooks.Single().ClientConfig.CaBundle.SequenceEqual(Secret()!.Data["ca.crt"]),
            Wait, () => "the configuration registered again\n" + _operators[0].Process.Output());
    }

    [Fact]
    public async Task A_failed_registration_degrades_every_alb_and_holds_nothing_up()
    {
        _cluster.Api.Faults.FailWhen(r => r.Resource == "validatingwebhookconfigurations" && r.IsWrite, 500);
        await _cluster.CreateAlbAsync("default", "web");
        await StartOperatorsAsync(1);

        AlbStatus? status = null;
        await EventuallyAsync(() => (status = _cluster.Alb("default", "web")?.Status)?.Condition(ConditionTypes.Degraded) is { Status: "True", Reason: Reasons.WebhookNotRegistered },
            Wait, () => "Degraded WebhookNotRegistered: " + (status is null ? "no status" : AlbJson.Serialize(status)) + "\n" + _operators[0].Process.Output());
        Assert.Contains("500", status!.Condition(ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        Assert.All(_cluster.Desired("default", "web").Objects, o => Assert.NotNull(_cluster.Stored(o))); // reconciled all the same
        Assert.Equal(0, await _operators[0].MetricAsync("alb_operator_webhook_registered"));

        _cluster.Api.Faults.Reset();
        await EventuallyAsync(() => (status = _cluster.Alb("default", "web")?.Status)?.Condition(ConditionTypes.Degraded) is { Status: "False", Reason: Reasons.AsExpected },
            Wait, () => "Degraded cleared: " + AlbJson.Serialize(status) + "\n" + _operators[0].Process.Output());
        Assert.NotNull(Configuration());
        Assert.Equal(1, await _operators[0].MetricAsync("alb_operator_webhook_registered"));
    }

    private async Task StartOperatorsAsync(int count) =>
        _operators.AddRange(await Task.WhenAll(Enumerable.Range(0, count).Select(i => OperatorProcess.StartAsync(_cluster.Kubeconfig, $"op-{i}"))));

    private V1Secret? Secret() => _cluster.Api.Objects.Get<V1Secret>("default", "alb-operator-webhook-tls");

    private V1ValidatingWebhookConfiguration? Configuration() => _cluster.Api.Objects.Get<V1ValidatingWebhookConfiguration>(null, "alb-operator");

    private static string Review(string uid) => """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"UID","kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},
         "resource":{"group":"networking.k8s.io","version":"v1","resource":"ingresses"},"namespace":"default","operation":"CREATE",
         "object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"default"},"spec":{}}}}
        """.Replace("UID", uid, StringComparison.Ordinal);

    /// <summary>
    /// An HTTPS client for the webhook as the API server calls it: the Service's DNS name as the TLS name, trusting
    /// only the webhook CA (host name checked), connected to the replica's loopback port.
    /// </summary>
    private static HttpClient Client(OperatorProcess op, X509Certificate2 ca, List<string> served)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, op.WebhookPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        lock (served)
                        {
                            served.Add(cert!.GetCertHashString());
                        }
                    }

                    return errors == SslPolicyErrors.None;
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{ServiceName}:{op.WebhookPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }
}
