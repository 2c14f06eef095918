// alb against a cluster of N Ingresses (the test API server, in this process): start to ready, idle RSS, how long
// each of 100 changes takes to be served, and the RSS after them, for alb as a real process; each figure beside issue
// 15's target. Usage (benchmarks/run.sh cluster):
//   cluster-scale ALB_DLL [INGRESSES=10000] [REPS=3] [CHANGES=100]; TIMELINE=1 prints alb's log up to ready, timed
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s.Models;

var albDll = args.Length > 0 ? Path.GetFullPath(args[0]) : throw new ArgumentException("usage: cluster-scale ALB_DLL [INGRESSES] [REPS] [CHANGES]");
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var changes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;

// As in a Pod (root: the service account files in a private mount namespace, the API server over HTTPS), unless
// IN_CLUSTER=0 or not root: then --kubeconfig, whose parsing by KubernetesClient costs 0.3-0.7 s of the start.
var inCluster = Environment.GetEnvironmentVariable("IN_CLUSTER") != "0" && Environment.UserName == "root" && File.Exists("/usr/bin/unshare");
await using var api = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(5), Https = inCluster });
var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cluster-scale-{Environment.ProcessId}"));
var serviceAccount = Directory.CreateTempSubdirectory("cluster-scale-sa-").FullName;
File.WriteAllText(Path.Combine(serviceAccount, "token"), TestApiServer.Token);
File.WriteAllText(Path.Combine(serviceAccount, "ca.crt"), api.CaPem ?? "");
File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "default");
Console.WriteLine(inCluster ? "alb runs in-cluster (service account, HTTPS), as in a Pod" : "alb runs with --kubeconfig");
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
var timeline = Environment.GetEnvironmentVariable("TIMELINE") == "1";
var ready = new List<double>();
var first = new List<double>();
var each = new List<double>();
var rss = new List<double>();
var rssAfter = new List<double>();
var quiet = new List<List<double>>();
var during = new List<List<double>>();
for (var rep = 0; rep < reps; rep++)
{
    int http = FreePort.Next(), https = FreePort.Next(), admin = FreePort.Next();
    var start = Stopwatch.StartNew();
    var startedAt = DateTimeOffset.UtcNow;
    string[] serve = [albDll, "serve", .. inCluster ? Array.Empty<string>() : ["--kubeconfig", kubeconfig], "--http", $"127.0.0.1:{http}", "--https", $"127.0.0.1:{https}",
        "--admin", $"127.0.0.1:{admin}", "--access-log", "off", "--log-level", timeline ? "debug" : "warning"];
    var environment = new Dictionary<string, string> { ["POD_NAME"] = $"scale-{rep}", ["POD_NAMESPACE"] = "default", ["DOTNET_TC_CallCountingDelayMs"] = "0" };
    if (inCluster)
    {
        environment["KUBERNETES_SERVICE_HOST"] = api.Url.Host;
        environment["KUBERNETES_SERVICE_PORT"] = api.Url.Port.ToString(CultureInfo.InvariantCulture);
    }

    // unshare execs sh, which execs dotnet: the PID measured is alb's.
    await using var alb = inCluster
        ? TestProcess.Start("unshare", ["--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp \"$0\"/* /run/secrets/kubernetes.io/serviceaccount/ && exec dotnet \"$@\"",
            serviceAccount, .. serve], environment: environment)
        : TestProcess.Start("dotnet", serve, environment: environment);
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
    if (timeline)
    {
        // alb's own log up to ready, each line at its time since the process was started (TIMELINE=1).
        foreach (var line in alb.Stderr.Concat(alb.Stdout).Where(l => l.Contains("Listed", StringComparison.Ordinal) || l.Contains("alb serving", StringComparison.Ordinal)
            || l.Contains("change handled", StringComparison.Ordinal) || l.Contains("Configuration applied", StringComparison.Ordinal)))
        {
            var at = DateTimeOffset.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? (t - startedAt).TotalMilliseconds : double.NaN;
            Console.WriteLine($"  +{at,6:F0} ms  {line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]}");
        }
    }

    await Task.Delay(3000); // settle, then read the resident set
    rss.Add(Rss(alb.Id));
    var heap = await HeapAsync(client);

    // Each change adds an Ingress for a new host and is timed until that host answers; the one before it is deleted
    // at the same moment, so the table keeps its size.
    using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };

    // Requests to a host no change touches, timed over 5 quiet seconds, then all through the changes: a rebuild must
    // not hold them up (issue 15: "no request slower during a rebuild").
    using var prober = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
    using (var quietFor = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
    {
        quiet.Add(await ProbeAsync(prober, quietFor.Token));
    }

    using var changing = new CancellationTokenSource();
    var probing = ProbeAsync(prober, changing.Token);
    var latencies = new List<double>();
    var along = new List<string>();
    for (var c = 0; c < changes; c++)
    {
        var host = $"new-{rep}-{c}.example.com";
        var changed = Stopwatch.StartNew();
        api.Objects.Create(Ingress($"new-{rep}-{c}", host, "/", false));
        if (c > 0)
        {
            api.Objects.Delete("networking.k8s.io/v1", "Ingress", "default", $"new-{rep}-{c - 1}");
        }

        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
            if ((await proxy.SendAsync(request)).StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            if (changed.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"change {c} not served after 30 s\n{alb.Output()}");
            }

            await Task.Delay(5);
        }

        latencies.Add(changed.Elapsed.TotalMilliseconds);
        if (c + 1 is 1 or 5 or 10 or 25 or 50 or 75)
        {
            // The RSS along the way: growth that levels off is warm-up (code, GC budgets); growth that keeps going is not.
            along.Add($"{c + 1}: {Rss(alb.Id):F0}");
        }
    }

    await changing.CancelAsync();
    during.Add(await probing);
    api.Objects.Delete("networking.k8s.io/v1", "Ingress", "default", $"new-{rep}-{changes - 1}");
    await Task.Delay(3000);
    rssAfter.Add(Rss(alb.Id));
    var heapAfter = await HeapAsync(client);
    first.Add(latencies[0]);
    each.Add(Median(latencies));
    Console.WriteLine($"rep {rep + 1}: ready after {ready[^1]:F0} ms, RSS {rss[^1]:F1} MiB; {changes} changes served after {Median(latencies):F0} ms " +
        $"(median; first {latencies[0]:F0}, p90 {Percentile(latencies, 0.9):F0}, max {latencies.Max():F0}), then RSS {rssAfter[^1]:F1} MiB; GC heap {heap:F1} -> {heapAfter:F1} MiB; " +
        $"RSS MiB after change {string.Join(", ", along)}");
    Console.WriteLine($"  requests to an unchanged host: quiet {Describe(quiet[^1])}; during the changes {Describe(during[^1])}");
}

Console.WriteLine($"median of {reps}, {count} Ingresses:");
Console.WriteLine($"  start to ready          {Median(ready),7:F0} ms    target <= 2000 ms      {Met(Median(ready) <= 2000)}");
Console.WriteLine($"  a change served         {Median(each),7:F0} ms    target <= 250 ms       {Met(Median(each) <= 250)}  (median of each run's {changes}; the first change {Median(first):F0} ms)");
Console.WriteLine($"  RSS after {changes} changes  {Median(rssAfter) / Median(rss),7:F2} x     target <= 1.30 x       {Met(Median(rssAfter) / Median(rss) <= 1.3)}  ({Median(rss):F1} -> {Median(rssAfter):F1} MiB)");
var quietP99 = Median([.. quiet.Select(q => Percentile(q, 0.99))]);
var duringP99 = Median([.. during.Select(d => Percentile(d, 0.99))]);
Console.WriteLine($"  p99 during changes      {duringP99,7:F1} ms    quiet {quietP99:F1} ms; target <= 2 x quiet  {Met(duringP99 <= 2 * quietP99)}  (max during {Median([.. during.Select(d => d.Max())]):F1} ms, quiet {Median([.. quiet.Select(q => q.Max())]):F1} ms)");
File.Delete(kubeconfig);
Directory.Delete(serviceAccount, recursive: true);

// dotnet_total_memory_bytes: the managed heap's live and not yet collected objects.
static async Task<double> HeapAsync(HttpClient admin)
{
    var metrics = await admin.GetStringAsync("/metrics");
    var line = metrics.Split('\n').First(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
    return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) / 1024 / 1024;
}

// GET /p1 on host-1 (plain Ingresses only: no rate limit) every 5 ms until cancelled; each latency in ms.
static async Task<List<double>> ProbeAsync(HttpClient client, CancellationToken stop)
{
    var latencies = new List<double>();
    while (!stop.IsCancellationRequested)
    {
        var timer = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/p1") { Headers = { Host = "host-1.example.com" } };
        using var response = await client.SendAsync(request, CancellationToken.None);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"an unchanged host answered {(int)response.StatusCode}");
        }

        latencies.Add(timer.Elapsed.TotalMilliseconds);
        try
        {
            await Task.Delay(5, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    return latencies;
}

static string Describe(List<double> latencies) =>
    $"{latencies.Count} requests, p50 {Percentile(latencies, 0.5):F1} / p99 {Percentile(latencies, 0.99):F1} / max {latencies.Max():F1} ms";

static string Met(bool met) => met ? "met" : "NOT MET";

static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(values.Count * p)));

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
