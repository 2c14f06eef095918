using Alb.Core.Translation;
using AlbOperator.Core.Admission;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;
using static AlbOperator.Core.Tests.Admission.TestIngresses;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>Which Albs judge an Ingress: alb's own class rules, one Alb's settings each.</summary>
public class IngressAdmissionClassTests
{
    private static readonly Dictionary<string, string> Snippet = Annotations(("server-snippet", "x"));

    [Fact]
    public void An_Ingress_of_no_Alb_is_allowed_untouched()
    {
        var admission = Webhook(Ingress("owner", created: Old));

        Assert.Same(AdmissionDecision.Allow, admission.Review(Ingress("nginx", className: "nginx", annotations: Snippet), "CREATE"));
        Assert.Same(AdmissionDecision.Allow, admission.Review(Ingress("unknown", className: "elsewhere", annotations: Snippet), "CREATE"));
        Assert.Same(AdmissionDecision.Allow, admission.Review(Ingress("classless", className: null, annotations: Snippet), "CREATE"));
        Assert.Same(AdmissionDecision.Allow, admission.Review(Ingress("legacy", className: null, annotations: Annotations(("server-snippet", "x"), ("kubernetes.io/ingress.class", "nginx"))), "CREATE"));
    }

    [Fact]
    public void Class_rules_are_albs_the_legacy_annotation_and_the_default_class_included()
    {
        var admission = new IngressAdmission([Web]);
        admission.Update([], [Class("web", Controller, isDefault: true), Class("renamed", Controller)]);

        Assert.False(admission.Review(Ingress("legacy", className: null, annotations: Annotations(("server-snippet", "x"), ("kubernetes.io/ingress.class", "web"))), "CREATE").Allowed);
        Assert.False(admission.Review(Ingress("classless", className: null, annotations: Snippet), "CREATE").Allowed);
        Assert.False(admission.Review(Ingress("other-name", className: "renamed", annotations: Snippet), "CREATE").Allowed);
    }

    [Fact]
    public void Two_Albs_with_disjoint_classes_each_judge_with_their_own_settings()
    {
        var strict = new AdmissionAlb(
            new TranslationOptions { IngressClass = "strict", ControllerClass = "edge.io/alb/edge/strict", ConfigMap = "edge/strict-config" },
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "strict-config", NamespaceProperty = "edge" }, Data = new Dictionary<string, string> { ["annotations-risk-level"] = "Medium" } });
        var relaxed = new AdmissionAlb(new TranslationOptions { IngressClass = "relaxed", ControllerClass = "edge.io/alb/edge/relaxed" });
        var admission = new IngressAdmission([strict, relaxed]);
        admission.Update(
            [Ingress("strict-owner", className: "strict", created: Old), Ingress("relaxed-owner", className: "relaxed", path: "/r", created: Old)],
            [Class("strict", "edge.io/alb/edge/strict"), Class("relaxed", "edge.io/alb/edge/relaxed")]);

        // auth-url has risk High: above the strict Alb's annotations-risk-level, within the relaxed one's (the default).
        var authUrl = Annotations(("auth-url", "http://auth.example.com/check"));
        var refused = admission.Review(Ingress("a", className: "strict", path: "/a", annotations: authUrl), "CREATE");
        Assert.False(refused.Allowed);
        Assert.Contains("ALB1603 Ingress default/a metadata.annotations[nginx.ingress.kubernetes.io/auth-url]: has risk High, above the ConfigMap's annotations-risk-level Medium", refused.Message);
        Assert.True(admission.Review(Ingress("b", className: "relaxed", path: "/b", annotations: authUrl), "CREATE").Allowed);

        // A path is taken only within one Alb's Ingresses.
        Assert.True(admission.Review(Ingress("c", className: "strict", path: "/r"), "CREATE").Allowed);
        Assert.False(admission.Review(Ingress("d", className: "relaxed", path: "/r"), "CREATE").Allowed);
        Assert.True(admission.Review(Ingress("e", className: "relaxed"), "CREATE").Allowed);
        Assert.False(admission.Review(Ingress("f", className: "strict"), "CREATE").Allowed);
    }

    [Fact]
    public void The_settings_of_an_Alb_are_those_its_alb_runs_with()
    {
        var alb = TestAlbs.Alb(new AlbSpec
        {
            IngressClass = new AlbIngressClassSpec { Name = "public", Default = true },
            Config = new Dictionary<string, string> { ["annotations-risk-level"] = "Medium" },
        });
        var args = AlbCommandLine.For(AlbNames.Of(alb), Defaults.Apply(alb.Spec, "web"));
        string Flag(string name) => args.SkipWhile(a => a != name).Skip(1).First();

        var settings = AdmissionAlb.For(alb);

        Assert.Equal(Flag("--ingress-class"), settings.Options.IngressClass);
        Assert.Equal(Flag("--controller-class"), settings.Options.ControllerClass);
        Assert.Equal(Flag("--configmap"), settings.Options.ConfigMap);
        Assert.True(settings.Options.WatchIngressWithoutClass);
        Assert.Contains("--watch-ingress-without-class", args);
        Assert.Equal($"{settings.ConfigMap!.Metadata.NamespaceProperty}/{settings.ConfigMap.Metadata.Name}", settings.Options.ConfigMap);
        Assert.Equal("Medium", settings.ConfigMap.Data["annotations-risk-level"]);

        var admission = new IngressAdmission([settings]);
        admission.Update([], []);
        Assert.False(admission.Review(Ingress("auth", className: "public", annotations: Annotations(("auth-url", "http://auth.example.com/check"))), "CREATE").Allowed);
        Assert.False(admission.Review(Ingress("classless", className: null, annotations: Snippet), "CREATE").Allowed);
        Assert.False(AdmissionAlb.For(TestAlbs.Alb()).Options.WatchIngressWithoutClass);
    }
}
