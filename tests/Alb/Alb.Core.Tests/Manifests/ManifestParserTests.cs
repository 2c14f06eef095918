using Alb.Core.Diagnostics;
using Alb.Core.Manifests;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Manifests;

public sealed class ManifestParserTests
{
    [Fact]
    public void Rejects_malformed_yaml_as_a_failed_file_with_the_line()
    {
        var file = ManifestParser.Parse("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n  oops: [\n");
        Assert.True(file.Failed);
        var d = Assert.Single(file.Diagnostics);
        Assert.Equal(Codes.ParseError.Code, d.Code);
        Assert.Equal("bad.yaml", d.Object);
        Assert.StartsWith("line ", d.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_document_whose_fields_have_the_wrong_type()
    {
        var file = ManifestParser.Parse("t.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: eighty}]}\n");
        Assert.True(file.Failed);
        Assert.Equal(Codes.ParseError.Code, Assert.Single(file.Diagnostics).Code);
    }

    [Fact]
    public void Rejects_documents_that_are_not_objects()
    {
        var file = ManifestParser.Parse("t.yaml", "- just\n- a list\n");
        Assert.True(file.Failed);
        Assert.Contains("mapping", Assert.Single(file.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_json_multi_documents_empty_documents_and_default_namespace()
    {
        var json = ManifestParser.Parse("a.json", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}""");
        Assert.False(json.Failed);
        var svc = Assert.IsType<V1Service>(Assert.Single(json.Objects).Object);
        Assert.Equal("default", svc.Metadata.NamespaceProperty);
        Assert.Equal(80, svc.Spec.Ports[0].Port);

        var yaml = ManifestParser.Parse("b.yaml", "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\ndata: {a: '1'}\n---\n");
        Assert.False(yaml.Failed);
        Assert.Equal(3, Assert.Single(yaml.Objects).Line);
    }

    [Fact]
    public void Accepts_unquoted_scalars_where_strings_are_expected()
    {
        var file = ManifestParser.Parse("t.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {a: 5, b: true}\ndata: {n: 10}\n");
        var map = Assert.IsType<V1ConfigMap>(Assert.Single(file.Objects).Object);
        Assert.Equal("10", map.Data["n"]);
        Assert.Equal("true", map.Metadata.Annotations["b"]);
    }
}
