using Alb.Core.Cluster;
using Alb.Core.Manifests;
using Alb.Core.Snapshot;
using Alb.Core.Tests.Translation;
using Alb.Core.Translation;
using Edge.Testing;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Cluster;

public sealed class ConfigMapScopeTests
{
    private const string P = "nginx.ingress.kubernetes.io/";

    private static V1Ingress Ingress(string ns, string? className, params (string Key, string Value)[] annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "i", NamespaceProperty = ns, Annotations = annotations.ToDictionary(a => P + a.Key, a => a.Value) },
        Spec = new V1IngressSpec { IngressClassName = className },
    };

    [Fact]
    public void Our_ingresses_name_the_configmaps_as_translation_resolves_them()
    {
        var references = ConfigMapScope.References(
            [
                Ingress("shop", "alb", ("custom-headers", "headers"), ("auth-proxy-set-headers", "auth/extra")),
                Ingress("api", "alb", ("custom-headers", " other/team "), ("auth-proxy-set-headers", "api-auth")),
                Ingress("other", "nginx", ("custom-headers", "never")),
                Ingress("web", "alb", ("custom-headers", "a/b/c"), ("auth-proxy-set-headers", "x/y/z")),
                Ingress("odd", "alb", ("custom-headers", "Upper_Case"), ("auth-proxy-set-headers", "bad name")),
                Ingress("plain", "alb", ("rewrite-target", "/x")),
            ],
            [], new TranslationOptions());
        Assert.Equal(["api/api-auth", "auth/extra", "other/team", "shop/headers"], references);
    }

    /// <summary>Unreferenced ConfigMaps and Secrets around an Ingress with custom-headers (same namespace, another namespace, missing).</summary>
    private const string CustomHeadersCase = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: alb, namespace: ingress}
        data: {global-allowed-response-headers: "X-Team"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: team, namespace: shop}
        data: {X-Team: shop}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: team, namespace: shared}
        data: {X-Team: shared}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: unrelated, namespace: shop}
        data: {X-Team: never}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {ports: [{name: http, port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: local
          namespace: shop
          annotations: {nginx.ingress.kubernetes.io/custom-headers: team}
        spec:
          ingressClassName: alb
          rules: [{host: local.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: cross
          namespace: shop
          annotations: {nginx.ingress.kubernetes.io/custom-headers: shared/team}
        spec:
          ingressClassName: alb
          rules: [{host: cross.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: missing
          namespace: shop
          annotations: {nginx.ingress.kubernetes.io/custom-headers: absent}
        spec:
          ingressClassName: alb
          rules: [{host: missing.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
        """;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string> { "(custom-headers)" };
        foreach (var row in GoldenTranslationTests.Cases())
        {
            data.Add(row);
        }

        return data;
    }

    /// <summary>
    /// What a cluster source reads (the --configmap ConfigMap, the ConfigMaps of <see cref="ConfigMapScope"/>, the
    /// Secrets of <see cref="SecretScope"/>'s namespaces) translates exactly as everything the files hold.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Reading_only_the_scopes_translates_as_reading_everything(string name)
    {
        var root = Golden.SourceDirectory("testassets/translation");
        var (text, options) = name == "(custom-headers)"
            ? (CustomHeadersCase, new TranslationOptions { ConfigMap = "ingress/alb" })
            : (File.ReadAllText(Path.Combine(root, name, "input.yaml")), GoldenTranslationTests.OptionsOf(Path.Combine(root, name)));
        var all = SnapshotBuilder.Build([ManifestParser.Parse("input.yaml", text)]).Snapshot;

        var namespaces = SecretScope.Namespaces(all.Ingresses, all.IngressClasses, options);
        var configMaps = new HashSet<string>(ConfigMapScope.References(all.Ingresses, all.IngressClasses, options), StringComparer.Ordinal);
        if (options.ConfigMap is { } global)
        {
            var (ns, configMap) = ObjectNames.SplitRef(global);
            configMaps.Add(ClusterSnapshot.Key(ns, configMap));
        }

        var scoped = new ClusterSnapshot(all.Ingresses, all.IngressClasses, all.Services, all.EndpointSlices,
            all.Secrets.Where(s => namespaces.Contains(ObjectNames.Ns(s.Metadata))),
            all.ConfigMaps.Where(m => configMaps.Contains(ClusterSnapshot.Key(ObjectNames.Ns(m.Metadata), m.Metadata.Name))));

        var expected = Translator.Translate(all, options);
        var actual = Translator.Translate(scoped, options);
        Assert.Equal(expected.Table, actual.Table);
        Assert.Equal(expected.Diagnostics.AsEnumerable(), actual.Diagnostics.AsEnumerable());
    }
}
