using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AlbOperator.Core.Tests.Deploy;

/// <summary>Runs <c>kubectl kustomize</c> and reads what it renders. A missing kubectl fails the test, it never skips.</summary>
internal static class Kustomize
{
    /// <summary><c>kubectl</c> on the PATH (v1.32.4 at /usr/bin/kubectl on the test machines), or <c>$KUBECTL</c>.</summary>
    public static string Kubectl => Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } path ? path : "kubectl";

    private static readonly ConcurrentDictionary<string, Lazy<List<YamlMappingNode>>> Rendered = new();

    /// <summary>The documents <c>kubectl kustomize DIRECTORY</c> prints (rendered once per directory and test run; read, never changed).</summary>
    public static List<YamlMappingNode> Render(string directory) =>
        Rendered.GetOrAdd(directory, d => new Lazy<List<YamlMappingNode>>(() => Run(d))).Value;

    private static List<YamlMappingNode> Run(string directory)
    {
        var start = new ProcessStartInfo(Kubectl)
        {
            ArgumentList = { "kustomize", directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process? process = null;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"'{Kubectl}' is needed to render deploy/ (kubectl v1.32 embeds kustomize v5.5) and cannot be run here; install kubectl or point KUBECTL at it: {e.Message}");
        }

        using (process)
        {
            Assert.NotNull(process);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"kubectl kustomize {directory} did not finish in 60 s");
            }

            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} exited with {process.ExitCode}: {stderr.Result}");
            var stream = new YamlStream();
            stream.Load(new StringReader(stdout.Result));
            return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
        }
    }

    public static string Kind(this YamlMappingNode node) => node.Text("kind");

    public static string Name(this YamlMappingNode node) => node.Map("metadata").Text("name");

    public static string? Namespace(this YamlMappingNode node) =>
        node.Map("metadata").Children.TryGetValue(new YamlScalarNode("namespace"), out var ns) ? ((YamlScalarNode)ns).Value : null;

    public static YamlMappingNode Map(this YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    public static YamlSequenceNode Seq(this YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    public static string Text(this YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    public static List<string> Texts(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? [.. ((YamlSequenceNode)value).Children.Select(c => ((YamlScalarNode)c).Value!)] : [];

    /// <summary>The same JSON with every object's members in ordinal order, for comparing documents whatever their order.</summary>
    public static string Canonical(JsonNode? node) => Sort(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sort)]),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };

    /// <summary>YAML to JSON: plain scalars that read as numbers, booleans or null become those; the rest are strings.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar => JsonValue.Create(scalar.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar when double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}
