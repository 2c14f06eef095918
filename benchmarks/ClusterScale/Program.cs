// alb against a cluster of N Ingresses (the test API server, in this process): start to ready, idle RSS, how long
// each of 100 changes takes to be served, and the RSS after them, for alb as a real process; each figure beside issue
// 15's target. Requests to a host no change touches are timed quiet and during the changes by hey, another process,
// through an nginx origin, so that neither the probe nor the origin shares this process's garbage collector or
// threads; after ready alb is pinned to the last CPU and everything else to the others (PIN=0: not pinned).
// ALB_ENV="NAME=VALUE,..." sets more environment variables for alb (runtime settings to compare).
// Usage (benchmarks/run.sh cluster):
//   cluster-scale ALB [INGRESSES=10000] [REPS=3] [CHANGES=100]; TIMELINE=1 prints alb's log up to ready, timed
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s.Models;

// ALB: the alb executable of a self-contained publish (the image's build), or an alb.dll run through dotnet.
var albPath = args.Length > 0 ? Path.GetFullPath(args[0]) : throw new ArgumentException("usage: cluster-scale ALB [INGRESSES] [REPS] [CHANGES]");
string[] albCommand = albPath.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", albPath] : [albPath];
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var changes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
// Changes the probe does not time (the change path's first JIT): WARM_CHANGES, 10 unless set.
var WarmChanges = int.Parse(Environment.GetEnvironmentVariable("WARM_CHANGES") ?? "10", CultureInfo.InvariantCulture);
if (changes <= WarmChanges)
{
    throw new ArgumentException($"CHANGES must be more than {WarmChanges}");
}

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
var pin = Environment.GetEnvironmentVariable("PIN") != "0" && Environment.ProcessorCount > 1;
var albCpu = Environment.ProcessorCount - 1;
var otherCpus = $"0-{albCpu - 1}";
var originDirectory = Directory.CreateTempSubdirectory("cluster-scale-origin-").FullName;
using var origin = NginxOrigin.Start(originDirectory, pin ? otherCpus : null);
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
    string[] serve = [.. albCommand, "serve", .. inCluster ? Array.Empty<string>() : ["--kubeconfig", kubeconfig], "--http", $"127.0.0.1:{http}", "--https", $"127.0.0.1:{https}",
        "--admin", $"127.0.0.1:{admin}", "--access-log", Environment.GetEnvironmentVariable("ACCESS_LOG") ?? "off", "--log-level", timeline ? "debug" : "warning"];
    var environment = new Dictionary<string, string> { ["POD_NAME"] = $"scale-{rep}", ["POD_NAMESPACE"] = "default", ["DOTNET_TC_DelaySingleProcMultiplier"] = "1", ["DOTNET_TC_CallCountThreshold"] = "1000" };
    foreach (var setting in (Environment.GetEnvironmentVariable("ALB_ENV") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
    {
        environment[setting[..setting.IndexOf('=', StringComparison.Ordinal)]] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..];
    }

    if (inCluster)
    {
        environment["KUBERNETES_SERVICE_HOST"] = api.Url.Host;
        environment["KUBERNETES_SERVICE_PORT"] = api.Url.Port.ToString(CultureInfo.InvariantCulture);
    }

    // unshare execs sh, which execs dotnet: the PID measured is alb's.
    await using var alb = inCluster
        ? TestProcess.Start("unshare", ["--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp \"$0\"/* /run/secrets/kubernetes.io/serviceaccount/ && exec \"$@\"",
            serviceAccount, .. serve], environment: environment)
        : TestProcess.Start(serve[0], serve[1..], environment: environment);
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
    if (pin)
    {
        // Every thread of alb to one CPU, this process (the API server) and its children to the others.
        Readings.Run("taskset", ["-a", "-c", "-p", albCpu.ToString(CultureInfo.InvariantCulture), alb.Id.ToString(CultureInfo.InvariantCulture)]);
        Readings.Run("taskset", ["-a", "-c", "-p", otherCpus, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
    }

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
    rss.Add(Readings.Rss(alb.Id));
    var heap = await Readings.HeapAsync(client);

    // Each change adds an Ingress for a new host and is timed until that host answers; the one before it is deleted
    // at the same moment, so the table keeps its size.
    using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };

    // Requests to a host no change touches, timed over 5 quiet seconds, then all through the changes: a rebuild must
    // not hold them up (issue 15: "no request slower during a rebuild").
    // Warm-up first: the request path tiers up (JIT) under 3 s of unthrottled requests, and the change path in the
    // first 10 changes, which the probe does not time; both are one-off costs of a fresh process.
    var probeUrl = $"http://127.0.0.1:{http}/p1";
    await Probe.Start(probeUrl, pin ? otherCpus : null, TimeSpan.FromSeconds(3), rate: 0).ResultAsync();
    // "Quiet" starts once the JIT, tiering the request path up after the burst, has been idle 1 s (at most 15 s).
    var settled = await Readings.UntilIdleAsync(alb.Id, ".NET Tiered Com", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
    var quietThreads = Readings.ThreadCpu(alb.Id);
    quiet.Add(await Probe.Start(probeUrl, pin ? otherCpus : null, TimeSpan.FromSeconds(5)).ResultAsync());
    var quietCpu = Readings.ByThread(quietThreads, Readings.ThreadCpu(alb.Id)); // what else ran on alb's CPU while "quiet"
    Probe? probing = null;
    var threadsBefore = new Dictionary<int, (string Name, double Ms)>();
    GcPauses? gcWatch = null;
    var gcBefore = (Pause: 0.0, Gen0: 0.0, Gen1: 0.0, Gen2: 0.0, Allocated: 0.0, Read: 0.0, Translate: 0.0, Publish: 0.0, Rebuilds: 0.0);
    var latencies = new List<double>();
    var along = new List<string>();
    var changeTimes = new List<(double Began, double Served)>(); // ms after the probe's start
    for (var c = 0; c < changes; c++)
    {
        if (c == WarmChanges)
        {
            gcBefore = await Readings.GcAsync(client);
            threadsBefore = Readings.ThreadCpu(alb.Id);
            gcWatch = new GcPauses(alb.Id);
            probing = Probe.Start(probeUrl, pin ? otherCpus : null, TimeSpan.FromMinutes(10));
            if (Environment.GetEnvironmentVariable("PERF_SCHED") is { } perfData && pin)
            {
                // Scheduler events on alb's CPU (PERF_SCHED_ALL=1: every CPU) for 5 s of changes, stamped with
                // CLOCK_MONOTONIC; perf sched timehist -i FILE reads them, blame.py lines them up with ACCESS_LOG.
                Process.Start(new ProcessStartInfo("perf", ["sched", "record", "-k", "mono", .. (Environment.GetEnvironmentVariable("PERF_SCHED_ALL") == "1" ? (string[])["-a"] : ["-C", albCpu.ToString(CultureInfo.InvariantCulture)]), "-o", perfData, "--", "sleep", "5"])
                    { RedirectStandardError = true, RedirectStandardOutput = true });
            }
        }

        var host = $"new-{rep}-{c}.example.com";
        var changed = Stopwatch.StartNew();
        var changeStarted = Stopwatch.GetTimestamp();
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
        if (probing is not null)
        {
            changeTimes.Add((Stopwatch.GetElapsedTime(probing.Started, changeStarted).TotalMilliseconds, changed.Elapsed.TotalMilliseconds));
        }

        if (c + 1 is 1 or 5 or 10 or 25 or 50 or 75)
        {
            // The RSS along the way: growth that levels off is warm-up (code, GC budgets); growth that keeps going is not.
            along.Add($"{c + 1}: {Readings.Rss(alb.Id):F0}");
        }
    }

    probing!.Stop();
    during.Add(await probing.ResultAsync());
    var gcAfter = await Readings.GcAsync(client);
    var threadsAfter = Readings.ThreadCpu(alb.Id);
    var pauses = gcWatch!.Stop();
    gcWatch.Dispose();
    var collections = gcAfter.Gen0 - gcBefore.Gen0;
    var gcLine = $"alb's GC during the timed changes: {collections:F0} collections ({gcAfter.Gen1 - gcBefore.Gen1:F0} gen1, {gcAfter.Gen2 - gcBefore.Gen2:F0} gen2), " +
        $"paused {(gcAfter.Pause - gcBefore.Pause) * 1000:F1} ms in all, {(collections > 0 ? (gcAfter.Pause - gcBefore.Pause) * 1000 / collections : 0):F2} ms each on average; " +
        $"allocated {(gcAfter.Allocated - gcBefore.Allocated) / 1e6 / (changes - WarmChanges):F1} MB per change";
    var rebuilds = gcAfter.Rebuilds - gcBefore.Rebuilds;
    var stageLine = $"alb's rebuilds during the timed changes: {rebuilds:F0}, each read {Per(gcAfter.Read - gcBefore.Read):F1} ms, " +
        $"translate {Per(gcAfter.Translate - gcBefore.Translate):F1} ms, publish {Per(gcAfter.Publish - gcBefore.Publish):F1} ms (wall clock, on alb's one CPU)";
    double Per(double seconds) => rebuilds > 0 ? seconds * 1000 / rebuilds : 0;
    api.Objects.Delete("networking.k8s.io/v1", "Ingress", "default", $"new-{rep}-{changes - 1}");
    await Task.Delay(3000);
    rssAfter.Add(Readings.Rss(alb.Id));
    var heapAfter = await Readings.HeapAsync(client);
    if (pin)
    {
        // Back to every CPU, so that the next alb starts (and the API server lists) as the first did.
        Readings.Run("taskset", ["-a", "-c", "-p", $"0-{albCpu}", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
    }

    first.Add(latencies[0]);
    each.Add(Stats.Median(latencies));
    Console.WriteLine($"rep {rep + 1}: ready after {ready[^1]:F0} ms, RSS {rss[^1]:F1} MiB; {changes} changes served after {Stats.Median(latencies):F0} ms " +
        $"(median; first {latencies[0]:F0}, p90 {Stats.Percentile(latencies, 0.9):F0}, max {latencies.Max():F0}), then RSS {rssAfter[^1]:F1} MiB; GC heap {heap:F1} -> {heapAfter:F1} MiB; " +
        $"RSS MiB after change {string.Join(", ", along)}");
    Console.WriteLine($"  requests to an unchanged host: quiet {Stats.Describe(quiet[^1])}; during changes {WarmChanges + 1}-{changes} {Stats.Describe(during[^1])}");
    Console.WriteLine($"  {gcLine}");
    Console.WriteLine($"  {stageLine}");
    var byName = Readings.ByThread(threadsBefore, threadsAfter);
    var pauseMs = pauses.Select(p => p.Ms).ToList();
    Console.WriteLine(pauseMs.Count == 0 ? "  GC pauses seen over EventPipe: none"
        : $"  GC pauses seen over EventPipe: {pauseMs.Count}, p50 {Stats.Percentile(pauseMs, 0.5):F2} / p90 {Stats.Percentile(pauseMs, 0.9):F2} / max {pauseMs.Max():F2} ms; " +
          string.Join(", ", pauses.GroupBy(p => p.Generation).OrderBy(g => g.Key).Select(g => $"{(g.Key < 0 ? "no GC started" : $"gen{g.Key}")} {g.Count()} (max {g.Max(p => p.Ms):F1} ms)")));
    Console.WriteLine($"  alb's CPU during the timed changes by thread: {string.Join(", ", byName.Select(t => $"{t.Name} {t.Ms:F0} ms"))}");
    Console.WriteLine($"  alb's CPU during the quiet probe by thread ({settled.TotalSeconds:F1} s after the warm-up): {string.Join(", ", quietCpu.Select(t => $"{t.Name} {t.Ms:F0} ms"))}");
    if (Environment.GetEnvironmentVariable("SLOWEST") is { } slowest)
    {
        // The slowest probe requests, each placed after the change that began last before it (hey's clock starts a
        // moment after Started: placements are a little early).
        foreach (var (latency, offset) in during[^1].Zip(probing.Offsets).OrderByDescending(r => r.First).Take(int.Parse(slowest, CultureInfo.InvariantCulture)))
        {
            var index = changeTimes.FindLastIndex(c => c.Began <= offset);
            var began = probing.StartedUtc.AddMilliseconds(offset);
            var gc = pauses.Where(p => p.Began < began.AddMilliseconds(latency) && p.Began.AddMilliseconds(p.Ms) > began).Sum(p => p.Ms);
            Console.WriteLine((index < 0 ? $"    {latency,6:F1} ms at {offset,8:F0} ms, before the first timed change"
                : $"    {latency,6:F1} ms at {offset,8:F0} ms, {offset - changeTimes[index].Began,5:F0} ms after change {index + WarmChanges + 1} began (served after {changeTimes[index].Served:F0} ms)")
                + $"; GC pauses overlapping it {gc:F1} ms");
        }
    }
}

Console.WriteLine($"median of {reps}, {count} Ingresses:");
Console.WriteLine($"  start to ready          {Stats.Median(ready),7:F0} ms    target <= 2000 ms      {Stats.Met(Stats.Median(ready) <= 2000)}");
Console.WriteLine($"  a change served         {Stats.Median(each),7:F0} ms    target <= 250 ms       {Stats.Met(Stats.Median(each) <= 250)}  (median of each run's {changes}; the first change {Stats.Median(first):F0} ms)");
Console.WriteLine($"  RSS after {changes} changes  {Stats.Median(rssAfter) / Stats.Median(rss),7:F2} x     target <= 1.30 x       {Stats.Met(Stats.Median(rssAfter) / Stats.Median(rss) <= 1.3)}  ({Stats.Median(rss):F1} -> {Stats.Median(rssAfter):F1} MiB)");
var quietP99 = Stats.Median([.. quiet.Select(q => Stats.Percentile(q, 0.99))]);
var duringP99 = Stats.Median([.. during.Select(d => Stats.Percentile(d, 0.99))]);
Console.WriteLine($"  p99 during changes      {duringP99,7:F1} ms    quiet {quietP99:F1} ms; target <= 2 x quiet  {Stats.Met(duringP99 <= 2 * quietP99)}  (max during {Stats.Median([.. during.Select(d => d.Max())]):F1} ms, quiet {Stats.Median([.. quiet.Select(q => q.Max())]):F1} ms)");
File.Delete(kubeconfig);
Directory.Delete(serviceAccount, recursive: true);
origin.Dispose();
Directory.Delete(originDirectory, recursive: true);

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
