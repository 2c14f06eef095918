using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Alb.Core.Manifests;

/// <summary>
/// Parses the text of one manifest file (YAML, multi-document, or JSON; <c>List</c> kinds are unrolled)
/// into the Kubernetes objects alb reads. Pure: text in, objects and diagnostics out.
/// </summary>
public static class ManifestParser
{
    /// <summary>Upper bound of one manifest file; a larger file is refused rather than read.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    public static ManifestFile Parse(string path, string content)
    {
        var objects = ImmutableArray.CreateBuilder<ManifestObject>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException e)
        {
            diagnostics.Add(Codes.ParseError.At(path, $"line {e.Start.Line}", Clean(e.Message)));
            return new ManifestFile(path, [], diagnostics.ToImmutable(), Failed: true);
        }

        var failed = false;
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                continue; // an empty document between separators
            }

            // One budget per document: a List's items share it, so aliases cannot multiply objects either.
            var budget = new NodeBudget(NodeBudget.Default);
            try
            {
                failed |= !ReadObject(path, document.RootNode, budget, objects, diagnostics);
            }
            catch (ManifestFieldException e)
            {
                diagnostics.Add(Codes.ParseError.At($"{path}:{e.Line}", e.Field, e.Message));
                failed = true;
            }
        }

        return new ManifestFile(path, objects.ToImmutable(), diagnostics.ToImmutable(), failed);
    }

    private static bool ReadObject(
        string path,
        YamlNode node,
        NodeBudget budget,
        ImmutableArray<ManifestObject>.Builder objects,
        ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var where = $"{path}:{node.Start.Line}";
        if (node is not YamlMappingNode map)
        {
            diagnostics.Add(Codes.ParseError.At(where, null, "a document must be a mapping with apiVersion and kind"));
            return false;
        }

        var apiVersion = Scalar(map, "apiVersion");
        var kind = Scalar(map, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            diagnostics.Add(Codes.ParseError.At(where, string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind", "missing; every document needs apiVersion and kind"));
            return false;
        }

        if (kind.EndsWith("List", StringComparison.Ordinal) && map.Children.TryGetValue(new YamlScalarNode("items"), out var items))
        {
            if (items is not YamlSequenceNode sequence)
            {
                diagnostics.Add(Codes.ParseError.At(where, "items", $"{kind}.items must be a sequence"));
                return false;
            }

            var ok = true;
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                ok &= ReadObject(path, budget.Visit(sequence.Children[i], $"items[{i}]"), budget, objects, diagnostics);
            }

            return ok;
        }

        IKubernetesObject<V1ObjectMeta>? obj;
        try
        {
            obj = ObjectReader.Read(apiVersion, kind, new YamlFields(map, "", budget));
        }
        catch (ManifestFieldException e) when (!budget.Exhausted)
        {
            diagnostics.Add(Codes.ParseError.At($"{path}:{e.Line}", e.Field, $"{kind}: {e.Message}"));
            return false;
        }

        if (obj is null)
        {
            diagnostics.Add(ObjectReader.SupportedApiVersion(kind) is { } supported
                ? Codes.InvalidObject.At(where, "apiVersion", $"{kind} of apiVersion {apiVersion} is not supported (use {supported}); ignored")
                : Codes.UnknownKind.At(where, "kind", $"{apiVersion} {kind} is not read by alb; ignored"));
            return true;
        }

        if (string.IsNullOrEmpty(obj.Metadata?.Name))
        {
            diagnostics.Add(Codes.InvalidObject.At(where, "metadata.name", $"{kind} without a name; ignored"));
            return true;
        }

        if (string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) && kind != "IngressClass")
        {
            obj.Metadata.NamespaceProperty = "default";
        }

        objects.Add(new ManifestObject(obj, (int)node.Start.Line));
        return true;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string Clean(string message) => message.ReplaceLineEndings(" ").Trim();
}
