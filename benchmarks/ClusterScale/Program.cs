// alb against a cluster of N Ingresses (the test API server, in this process): start to ready, idle RSS, and how
// long a change takes to be served, for alb as a real process. Usage (benchmarks/run.sh cluster):
//   cluster-scale ALB_DLL [INGRESSES=10000] [REPS=3]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s.Models;

var albDll = args.Length > 0 ? Path.GetFullPath(args[0]) : throw new ArgumentException("usage: cluster-scale ALB_DLL [INGRESSES] [REPS]");
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

await using var api = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cluster-scale-{Environment.ProcessId}"));
await using var origin = await TestOrigin.StartAsync("web");
api.Objects.Create(new V1Service { ApiVersion = "v1", Kind = "Service", Metadata = new() { Name = "web", NamespaceProperty = "default" }, Spec = new() { Ports = [new() { Name = "http", Port = 80 }] } });
api.Objects.Create(new V1EndpointSlice
{
    ApiVersion = "discovery.k8s.io/v1", Kind = "EndpointSlice", AddressType = "IPv4",
    Metadata = new() { Name = "web-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
    Ports = [new() { Name = "http", Port = origin.Port }],
    Endpoints = [new() { Addresses = ["127.0.0.1"], Conditions = new() { Ready = true } }],
});
var load = Stopwatch.StartNew();
for (var i = 0; i < count; i++)
{
    api.Objects.Create(Ingress($"ing-{i}", $"host-{i % 1000}.example.com", $"/p{i}", i % 4 == 0));
}

Console.WriteLine($"{count} Ingresses in the test API server ({load.Elapsed.TotalSeconds:F1} s to create)");
var ready = new List<double>();
var change = new List<double>();
var rss = new List<double>();
for (var rep = 0; rep < reps; rep++)
{
    int http = FreePort.Next(), https = FreePort.Next(), admin = FreePort.Next();
    var start = Stopwatch.StartNew();
    await using var alb = TestProcess.Start("dotnet", [albDll, "serve", "--kubeconfig", kubeconfig, "--http", $"127.0.0.1:{http}", "--https", $"127.0.0.1:{https}",
        "--admin", $"127.0.0.1:{admin}", "--access-log", "off", "--log-level", "warning"], environment: new Dictionary<string, string> { ["POD_NAME"] = $"scale-{rep}" });
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}"), Timeout = TimeSpan.FromSeconds(5) };
    while (true)
    {
        if (alb.HasExited)
        {
            throw new InvalidOperationException("alb exited\n" + alb.Output());
        }

        try
        {
            if ((await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
            {
                break;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(20);
    }

    ready.Add(start.Elapsed.TotalMilliseconds);
    await Task.Delay(3000); // settle, then read the resident set
    rss.Add(Rss(alb.Id));

    var host = $"new-{rep}.example.com";
    var changed = Stopwatch.StartNew();
    api.Objects.Create(Ingress($"new-{rep}", host, "/", false));
    using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
    while (true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        if ((await proxy.SendAsync(request)).StatusCode == HttpStatusCode.OK)
        {
            break;
        }

        await Task.Delay(5);
    }

    change.Add(changed.Elapsed.TotalMilliseconds);
    Console.WriteLine($"rep {rep + 1}: ready after {ready[^1]:F0} ms, RSS {rss[^1]:F1} MiB, a new Ingress served after {change[^1]:F0} ms");
    api.Objects.Delete("networking.k8s.io/v1", "Ingress", "default", $"new-{rep}");
}

Console.WriteLine($"median of {reps}: start to ready {Median(ready):F0} ms; idle RSS {Median(rss):F1} MiB; change served after {Median(change):F0} ms");
File.Delete(kubeconfig);

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static double Rss(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();

static V1Ingress Ingress(string name, string host, string path, bool annotated) => new()
{
    ApiVersion = "networking.k8s.io/v1",
    Kind = "Ingress",
    Metadata = new()
    {
        Name = name,
        NamespaceProperty = "default",
        Annotations = annotated ? new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/enable-cors"] = "true",
            ["nginx.ingress.kubernetes.io/limit-rps"] = "100",
            ["nginx.ingress.kubernetes.io/proxy-body-size"] = "8m",
        } : null,
    },
    Spec = new()
    {
        IngressClassName = "alb",
        Rules = [new() { Host = host, Http = new() { Paths = [new() { Path = path, PathType = "Prefix", Backend = new() { Service = new() { Name = "web", Port = new() { Number = 80 } } } }] } }],
    },
};
