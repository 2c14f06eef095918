using AlbOperator.Core.Admission;
using k8s.Models;
using static AlbOperator.Core.Tests.Admission.TestIngresses;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>What the webhook allows but warns about, and what it does not claim to know.</summary>
public class IngressAdmissionWarningTests
{
    [Fact]
    public void Warnings_are_returned_with_an_allowed_Ingress()
    {
        var decision = Webhook().Review(Ingress("typo", annotations: Annotations(("rewrite-targt", "/"), ("enable-opentelemetry", "true"))), "CREATE");

        Assert.True(decision.Allowed);
        Assert.Equal(
            [
                "ALB1602 metadata.annotations[nginx.ingress.kubernetes.io/enable-opentelemetry]: is not supported by alb (Tracing); the route is served without it",
                "ALB1601 metadata.annotations[nginx.ingress.kubernetes.io/rewrite-targt]: is not an ingress-nginx annotation (a typo?); ignored",
            ],
            decision.Warnings);
    }

    [Fact]
    public void A_route_that_fails_closed_is_a_warning_not_a_refusal()
    {
        // An auth Secret in another namespace: alb answers 503 on the route (never unauthenticated).
        var decision = Webhook().Review(Ingress("auth", annotations: Annotations(("auth-type", "basic"), ("auth-secret", "other/htpasswd"))), "CREATE");

        Assert.True(decision.Allowed);
        var warning = Assert.Single(decision.Warnings);
        Assert.StartsWith("ALB2901 metadata.annotations[nginx.ingress.kubernetes.io/auth-secret]: Secret other/htpasswd is in another namespace than the Ingress; the route answers 503", warning);
    }

    [Fact]
    public void A_path_alb_drops_is_a_warning()
    {
        var decision = Webhook().Review(Ingress("space", path: "/a b"), "CREATE");

        Assert.True(decision.Allowed);
        Assert.StartsWith("ALB1202 spec.rules[0].http.paths[0].path: \"/a b\" holds ' '", Assert.Single(decision.Warnings));
    }

    [Fact]
    public void Says_nothing_about_Services_Secrets_and_ConfigMaps_it_does_not_see()
    {
        // Each of these names an object in the Ingress's namespace; the webhook sees Ingresses and classes only.
        var ingress = Ingress("refs", annotations: Annotations(
            ("default-backend", "fallback"),
            ("proxy-ssl-secret", "default/backend-ca"),
            ("auth-type", "basic"),
            ("auth-secret", "htpasswd"),
            ("auth-url", "http://auth.example.com/check"),
            ("auth-proxy-set-headers", "auth-headers"),
            ("custom-headers", "default/custom-headers"),
            ("auth-tls-secret", "default/client-ca"),
            ("alb.edge.io/auth-jwt-issuer", "https://issuer.example.com"),
            ("alb.edge.io/auth-jwt-audiences", "app"),
            ("alb.edge.io/auth-jwt-jwks-secret", "jwks")));
        ingress.Spec.Tls = [new V1IngressTLS { Hosts = ["app.example.com"], SecretName = "app-tls" }];

        var decision = Webhook().Review(ingress, "CREATE");

        Assert.True(decision.Allowed);
        Assert.DoesNotContain(decision.Warnings, w => w.Contains("does not exist", StringComparison.Ordinal) || w.Contains("not in the manifests", StringComparison.Ordinal));
        Assert.DoesNotContain(decision.Warnings, w => w.StartsWith("ALB13", StringComparison.Ordinal) || w.StartsWith("ALB14", StringComparison.Ordinal) || w.StartsWith("ALB2921", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("default-backend", "fallback", "ALB2601")]
    [InlineData("proxy-ssl-secret", "default/backend-ca", "ALB2701")]
    [InlineData("auth-secret", "htpasswd", "ALB2901")]
    [InlineData("auth-proxy-set-headers", "auth-headers", "ALB2911")]
    [InlineData("custom-headers", "default/custom-headers", "ALB2201")]
    [InlineData("alb.edge.io/auth-jwt-jwks-secret", "jwks", "ALB2933")]
    [InlineData("auth-tls-secret", "default/client-ca", "ALB2921")]
    public void Pins_how_each_family_words_a_missing_object(string key, string value, string code)
    {
        // Translated by alb with nothing else in the cluster, each family reports the object missing, in words
        // UnseenObjects recognises; if a family changes its wording, this fails before the webhook lies.
        var annotations = Annotations((key, value), ("auth-type", "basic"), ("auth-url", "http://auth.example.com/check"),
            ("alb.edge.io/auth-jwt-issuer", "https://issuer.example.com"), ("alb.edge.io/auth-jwt-audiences", "app"));
        var ingress = Ingress("refs", annotations: annotations);
        if (key != "auth-secret")
        {
            ingress.Metadata.Annotations.Remove(Nginx + "auth-type");
        }

        var snapshot = new Alb.Core.Snapshot.ClusterSnapshot([ingress], Classes, [], [], [], []);
        var diagnostics = Alb.Core.Translation.Translator.Translate(snapshot, Web).Diagnostics;

        var missing = Assert.Single(diagnostics, d => d.Code == code);
        Assert.True(UnseenObjects.DependsOn(missing), missing.ToString());
    }

    [Fact]
    public void Warnings_are_bounded_in_length_and_number()
    {
        var many = Enumerable.Range(0, 40).Select(i => ($"unknown-key-{i:D2}-{new string('x', 300)}", "1")).ToArray();

        var decision = Webhook().Review(Ingress("noisy", annotations: Annotations(many)), "CREATE");

        Assert.True(decision.Allowed);
        Assert.Equal(AdmissionText.MaxWarnings, decision.Warnings.Count);
        Assert.All(decision.Warnings, w => Assert.True(w.Length <= AdmissionText.MaxWarning));
        Assert.Equal("26 more warnings (alb validate lists them all)", decision.Warnings[^1]);
    }

    [Fact]
    public void The_refusal_message_is_bounded()
    {
        var lines = Enumerable.Range(0, 100).Select(i => $"ALB1603 Ingress default/x metadata.annotations[k{i}]: {new string('y', 200)}").ToList();

        var message = AdmissionText.Message("alb would not serve this Ingress:", lines);

        Assert.True(message.Length <= AdmissionText.MaxMessage, message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(@"\n\.\.\. and \d+ more \(alb validate lists them all\)$", message);
        Assert.Contains(lines[0], message);
    }

    [Fact]
    public void Before_the_first_update_conflicts_are_not_checked_and_the_warnings_say_so()
    {
        var admission = new IngressAdmission([Web]);

        var decision = admission.Review(Ingress("early"), "CREATE");

        Assert.False(admission.HasClusterContext);
        Assert.True(decision.Allowed);
        Assert.Contains("paths already taken by other Ingresses were not checked", Assert.Single(decision.Warnings));
        Assert.False(admission.Review(Ingress("snip", annotations: Annotations(("server-snippet", "x"))), "CREATE").Allowed);
    }
}
