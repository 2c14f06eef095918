using Alb.Core.Annotations;
using Alb.Core.Annotations.Families;
using Alb.Core.Routing;
using Alb.Core.Serialization;
using CsCheck;
using Xunit;

namespace Alb.Core.Tests.Annotations;

/// <summary>
/// Every family parser over generated values (thousands per run): none throws, every bad value yields a diagnostic,
/// and no control character, quote or brace ever reaches a policy. The opt-in long run is benchmarks/fuzz.
/// </summary>
public sealed class AnnotationFuzzTests
{
    private static readonly string[] Keys = [.. AnnotationCatalog.All.Where(a => a.Support == AnnotationSupport.Supported).Select(a => a.Name)];

    private static readonly string[] Samples =
    [
        "true", "false", "True", " true", "1", "0", "-1", "2147483648", "10m", "1g", "0", "10.0.0.0/8", "::1/128", "300.1.1.1",
            "https://a.example.com", "https://*.b.example.com:8443", "*", "/$1", "/api(/|$)(.*)", "GET, POST", "off", "on",
    ];

    private static readonly Gen<string> Values = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char["\n\r\t\0;{}\"'`$\\ ,:/.*0123456789abcxyzAZ-_?&=%#@"], 0, 40],
        Gen.Int[0, Samples.Length - 1].Select(i => Samples[i]));

    [Fact]
    public void Parsers_never_throw_and_never_let_control_characters_into_a_policy()
    {
        Gen.Select(Gen.Int[0, Keys.Length - 1].Array[1, 6], Values.Array[6]).Sample((keys, values) =>
        {
            var annotations = new Dictionary<string, string>();
            for (var i = 0; i < keys.Length; i++)
            {
                annotations[AnnotationCatalog.Prefix + Keys[keys[i]]] = values[i];
            }

            annotations[AnnotationCatalog.Prefix + "typo\n" + values[0]] = values[1]; // an unknown key quoted in a diagnostic

            var reader = new AnnotationReader("Ingress fuzz/x", annotations);
            var screen = AnnotationScreen.Read(reader);
            Assert.All(screen.Diagnostics, d => Assert.DoesNotContain(d.ToString(), char.IsControl));
            var results = new object?[]
            {
                screen.Policy,
                RedirectAnnotations.Read(reader, GlobalSettings.Default).Policy,
                RewriteAnnotations.Read(reader).Policy,
                CorsAnnotations.Read(reader).Policy,
                SourceRangeAnnotations.Read(reader).Policy,
                RateLimitAnnotations.Read(reader).Policy,
                ProxyAnnotations.Read(reader, GlobalSettings.Default).Policy,
                LogAnnotations.Read(reader).Policy,
                BasicAuthAnnotations.Read(reader, "fuzz", GlobalSettings.Default, Secret).Policy,
                BasicAuthAnnotations.ReadSatisfy(reader).Policy,
                ExternalAuthAnnotations.Read(reader, "fuzz", GlobalSettings.Default, (_, _) => Map).Policy,
                ClientCertAnnotations.Read(reader, "fuzz", GlobalSettings.Default, Secret).Policy,
            };
            var json = AlbJson.Serialize(results);
            Assert.DoesNotContain("\\u000", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\\n", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\\r", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\\\"", json, StringComparison.Ordinal);
            Assert.DoesNotContain("{", json.Replace("{\n", "", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }, iter: 5000);
    }

    [Fact]
    public void Jwt_parser_never_throws_and_never_lets_control_characters_into_a_policy() =>
        Gen.Select(Gen.Int[0, AlbAnnotations.Known.Count - 1].Array[1, 6], Values.Array[6]).Sample((keys, values) =>
        {
            var annotations = new Dictionary<string, string>();
            for (var i = 0; i < keys.Length; i++)
            {
                annotations[AlbAnnotations.Prefix + AlbAnnotations.Known[keys[i]]] = values[i];
            }

            var reader = new AnnotationReader("Ingress fuzz/x", annotations, AlbAnnotations.Prefix);
            var screen = AlbAnnotations.Screen(reader);
            var jwt = JwtAnnotations.Read(reader, "fuzz", GlobalSettings.Default, Secret);
            Assert.All(screen.Diagnostics.Concat(jwt.Diagnostics), d => Assert.DoesNotContain(d.ToString(), char.IsControl));
            var json = AlbJson.Serialize(jwt.Policy);
            Assert.DoesNotContain("\\u000", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\\n", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\\r", json, StringComparison.Ordinal);
        }, iter: 3000);

    /// <summary>Every Secret exists and holds the generated value under the usual keys, so parsers get past the lookup.</summary>
    private static k8s.Models.V1Secret? Secret(string ns, string name) => new()
    {
        StringData = new Dictionary<string, string> { ["auth"] = name + ":{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n" + ns, ["ca.crt"] = name, ["jwks"] = name },
    };

    private static readonly Dictionary<string, string> Map = new() { ["X-Fuzz"] = "v" };
}
