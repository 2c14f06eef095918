using System.Diagnostics;
using Alb.Core.Diagnostics;
using Alb.Core.Manifests;
using k8s;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Manifests;

public sealed class ObjectReaderTests
{
    // Every field alb reads, for each kind, in the shapes real manifests use (flow and block style, quoted and plain).
    private const string AllKinds = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: shop
          namespace: demo
          uid: 0b6f4a3e-1111-2222-3333-444455556666
          resourceVersion: "12345"
          generation: 3
          creationTimestamp: "2024-05-01T10:20:30Z"
          labels: {app: shop, tier: "1"}
          annotations:
            nginx.ingress.kubernetes.io/ssl-redirect: "false"
            nginx.ingress.kubernetes.io/proxy-body-size: 8m
        spec:
          ingressClassName: alb
          defaultBackend: {service: {name: web, port: {name: http}}}
          tls:
          - hosts: [shop.example.com, "*.shop.example.com"]
            secretName: shop-tls
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8080}}}}
              - path: /static
                pathType: ImplementationSpecific
                backend:
                  resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}
          - http: {paths: [{path: /, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata:
          name: edge
          annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
        spec: {controller: edge.io/alb}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: demo}
        spec:
          type: ClusterIP
          clusterIP: 10.96.0.10
          selector: {app: api}
          ports:
          - {name: http, port: 8080, targetPort: 9000, protocol: TCP, appProtocol: http}
          - {name: grpc, port: 9090, targetPort: grpc-port}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ext, namespace: demo}
        spec: {type: ExternalName, externalName: api.example.net, ports: [{port: 443, nodePort: 30443}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: api-x1, namespace: demo, labels: {kubernetes.io/service-name: api}}
        addressType: IPv4
        ports: [{name: http, port: 9000, protocol: TCP, appProtocol: http}]
        endpoints:
        - addresses: ["10.1.0.1"]
          conditions: {ready: true, serving: true, terminating: false}
          hostname: api-0
          nodeName: node-a
          zone: z1
        - addresses: ["10.1.0.2", "10.1.0.3"]
          conditions: {ready: false}
        - addresses: ["10.1.0.4"]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: shop-tls, namespace: demo}
        type: kubernetes.io/tls
        immutable: true
        data: {tls.crt: aGVsbG8=, tls.key: d29ybGQ=}
        stringData: {note: plain text}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: alb, namespace: edge}
        data: {proxy-body-size: 2m, ssl-redirect: "false", proxy-read-timeout: 30}
        """;

    [Fact]
    public void Reads_every_field_alb_uses_exactly_as_KubernetesClient_does()
    {
        var file = ManifestParser.Parse("all.yaml", AllKinds);
        Assert.False(file.Failed);
        Assert.Empty(file.Diagnostics);
        var theirs = KubernetesYaml.LoadAllFromString(AllKinds);
        Assert.Equal(theirs.Count, file.Objects.Length);
        for (var i = 0; i < theirs.Count; i++)
        {
            Assert.Equal(theirs[i].GetType(), file.Objects[i].Object.GetType());
            Assert.Equal(KubernetesJson.Serialize(theirs[i]), KubernetesJson.Serialize(file.Objects[i].Object));
        }
    }

    [Fact]
    public void Reads_times_in_utc_and_ports_by_number_or_name()
    {
        var file = ManifestParser.Parse("all.yaml", AllKinds);
        var ingress = Assert.IsType<V1Ingress>(file.Objects[0].Object);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc), ingress.Metadata.CreationTimestamp);
        Assert.Equal(DateTimeKind.Utc, ingress.Metadata.CreationTimestamp!.Value.Kind);
        var service = Assert.IsType<V1Service>(file.Objects[2].Object);
        Assert.Equal("9000", service.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("grpc-port", service.Spec.Ports[1].TargetPort.Value);
        Assert.Equal("hello"u8.ToArray(), Assert.IsType<V1Secret>(file.Objects[5].Object).Data["tls.crt"]);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: eighty}]}\n", "spec.ports[0].port", 4, "expected an integer, found 'eighty'")]
    [InlineData("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec:\n  rules: {host: a.example.com}\n", "spec.rules", 5, "expected a sequence")]
    [InlineData("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec:\n  rules:\n  - host: [a, b]\n", "spec.rules[0].host", 6, "expected a single value, found a sequence")]
    [InlineData("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec:\n  rules:\n  - just-a-string\n", "spec.rules[0]", 6, "expected a mapping")]
    [InlineData("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {tls: [{hosts: [{a: b}]}]}\n", "spec.tls[0].hosts[0]", 4, "expected a string")]
    [InlineData("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {defaultBackend: {service: {name: s, port: {number: 8o}}}}\n", "spec.defaultBackend.service.port.number", 4, "expected an integer")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata:\n  tls.crt: not*base64\n", "data.tls.crt", 5, "not valid base64")]
    [InlineData("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: x}\nendpoints: [{addresses: [10.0.0.1], conditions: {ready: maybe}}]\n", "endpoints[0].conditions.ready", 4, "expected true or false, found 'maybe'")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a, b]\n", "metadata.labels", 5, "expected a mapping of strings")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  nested: {a: b}\n", "data.nested", 5, "expected a string key and a string value")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  creationTimestamp: yesterday\n", "metadata.creationTimestamp", 5, "expected an RFC 3339 time")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: just-a-name\n", "metadata", 3, "expected a mapping")]
    public void Rejects_a_value_of_the_wrong_type_naming_the_field_and_its_line(string yaml, string field, int line, string message)
    {
        var file = ManifestParser.Parse("t.yaml", yaml);
        Assert.True(file.Failed);
        Assert.Empty(file.Objects);
        var d = Assert.Single(file.Diagnostics);
        Assert.Equal(Codes.ParseError.Code, d.Code);
        Assert.Equal($"t.yaml:{line}", d.Object);
        Assert.Equal(field, d.Field);
        Assert.Contains(field + ": " + message, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_null_tilde_and_empty_values_as_absent_but_quoted_ones_as_text()
    {
        var file = ManifestParser.Parse("t.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: x
              annotations: {a: null, b: "null"}
            spec:
              ingressClassName: ~
              defaultBackend:
              rules: null
              tls: []
            """);
        var ingress = Assert.IsType<V1Ingress>(Assert.Single(file.Objects).Object);
        Assert.Null(ingress.Spec.IngressClassName);
        Assert.Null(ingress.Spec.DefaultBackend);
        Assert.Null(ingress.Spec.Rules);
        Assert.Empty(ingress.Spec.Tls);
        Assert.Equal("", ingress.Metadata.Annotations["a"]);
        Assert.Equal("null", ingress.Metadata.Annotations["b"]);
    }

    [Fact]
    public void Refuses_a_document_that_aliases_expand_into_millions_of_values()
    {
        // 2,000 rules, each an alias of one rule with 2,000 paths: ~16 KiB of text standing for 4,000,000 paths.
        var paths = string.Join(", ", Enumerable.Repeat("{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}", 2000));
        var rules = string.Join(", ", Enumerable.Repeat("*rule", 2000));
        var bomb = $"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: bomb}}\nx: &rule {{http: {{paths: [{paths}]}}}}\nspec: {{rules: [{rules}]}}\n";
        var clock = Stopwatch.StartNew();
        var file = ManifestParser.Parse("bomb.yaml", bomb);
        Assert.True(file.Failed);
        Assert.Contains("YAML aliases", Assert.Single(file.Diagnostics).Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Refuses_a_list_whose_items_are_aliases_of_one_object_many_times()
    {
        // 300,000 aliases of one Service: 2 MB of text that would be 300,000 objects.
        var items = string.Join(", ", Enumerable.Repeat("*svc", 300_000));
        var bomb = $"x: &svc {{apiVersion: v1, kind: Service, metadata: {{name: s, labels: {{a: b}}}}, spec: {{ports: [{{port: 80}}]}}}}\napiVersion: v1\nkind: List\nitems: [{items}]\n";
        var file = ManifestParser.Parse("list.yaml", bomb);
        Assert.True(file.Failed);
        Assert.Contains("YAML aliases", Assert.Single(file.Diagnostics).Message, StringComparison.Ordinal);
        Assert.True(file.Objects.Length < 300_000);
    }

    [Fact]
    public void Accepts_a_large_document_without_aliases()
    {
        var paths = string.Join(", ", Enumerable.Range(0, 10_000).Select(i => $"{{path: /p{i}, pathType: Prefix, backend: {{service: {{name: s, port: {{number: 80}}}}}}}}"));
        var file = ManifestParser.Parse("big.yaml", $"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: big}}\nspec: {{rules: [{{http: {{paths: [{paths}]}}}}]}}\n");
        Assert.False(file.Failed);
        Assert.Equal(10_000, Assert.IsType<V1Ingress>(Assert.Single(file.Objects).Object).Spec.Rules[0].Http.Paths.Count);
    }
}
