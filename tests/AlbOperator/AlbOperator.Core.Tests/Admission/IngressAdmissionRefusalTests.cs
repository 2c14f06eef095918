using AlbOperator.Core.Admission;
using static AlbOperator.Core.Tests.Admission.TestIngresses;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>What the webhook refuses: what alb would not serve.</summary>
public class IngressAdmissionRefusalTests
{
    [Fact]
    public void Refuses_a_snippet_annotation()
    {
        var decision = Webhook().Review(Ingress("snip", annotations: Annotations(("configuration-snippet", "more_set_headers \"X: y\";"))), "CREATE");

        Assert.False(decision.Allowed);
        Assert.StartsWith("alb would not serve this Ingress:\nALB1603 Ingress default/snip metadata.annotations[nginx.ingress.kubernetes.io/configuration-snippet]: carries raw nginx configuration (risk Critical)", decision.Message);
    }

    [Fact]
    public void Refuses_a_Critical_annotation()
    {
        var decision = Webhook().Review(Ingress("critical", annotations: Annotations(("auth-url", "http://auth.example.com/check"), ("auth-snippet", "proxy_set_header X 1;"))), "CREATE");

        Assert.False(decision.Allowed);
        Assert.Contains("ALB1603 Ingress default/critical metadata.annotations[nginx.ingress.kubernetes.io/auth-snippet]:", decision.Message);
    }

    [Fact]
    public void Refuses_a_value_that_makes_alb_reject_the_Ingress()
    {
        var decision = Webhook().Review(Ingress("limits", annotations: Annotations(("limit-rps", "lots"))), "CREATE");

        Assert.False(decision.Allowed);
        Assert.Equal(
            "alb would not serve this Ingress:\nALB2101 Ingress default/limits metadata.annotations[nginx.ingress.kubernetes.io/limit-rps]: \"lots\" is not a whole number in 0-1000000; the Ingress is not served (as ingress-nginx)",
            decision.Message);
    }

    [Fact]
    public void Lists_every_refusing_annotation_not_only_the_first()
    {
        var decision = Webhook().Review(
            Ingress("many", annotations: Annotations(("server-snippet", "x"), ("limit-rps", "lots"), ("upstream-vhost", "bad host!"), ("proxy-body-size", "huge"))),
            "CREATE");

        Assert.False(decision.Allowed);
        var lines = decision.Message.Split('\n')[1..];
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("ALB1603 ", StringComparison.Ordinal) && l.Contains("server-snippet", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ALB2101 ", StringComparison.Ordinal) && l.Contains("limit-rps", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ALB2202 ", StringComparison.Ordinal) && l.Contains("upstream-vhost", StringComparison.Ordinal));

        // A bad value alb replaces by its default does not refuse; it is a warning.
        Assert.Contains(decision.Warnings, w => w.StartsWith("ALB2201 metadata.annotations[nginx.ingress.kubernetes.io/proxy-body-size]", StringComparison.Ordinal));
    }

    [Fact]
    public void Refuses_a_host_and_path_an_older_Ingress_serves()
    {
        var admission = Webhook(Ingress("owner", created: Old));

        var decision = admission.Review(Ingress("newcomer"), "CREATE");

        Assert.False(decision.Allowed);
        Assert.Equal(
            "alb would not serve this Ingress:\nALB1205 Ingress default/newcomer spec.rules[0].http.paths[0]: host \"app.example.com\" path \"/\" (Prefix) is already served by the older Ingress default/owner; this path is not used",
            decision.Message);
    }

    [Fact]
    public void A_created_Ingress_is_the_newest_whatever_its_object_says()
    {
        var admission = Webhook(Ingress("owner", created: Old));

        Assert.False(admission.Review(Ingress("newcomer", created: Old.AddYears(-1)), "CREATE").Allowed);
    }

    [Fact]
    public void Prefix_and_ImplementationSpecific_paths_are_the_same_path_and_a_trailing_slash_does_not_matter()
    {
        var admission = Webhook(Ingress("owner", path: "/api/", pathType: "ImplementationSpecific", created: Old));

        Assert.False(admission.Review(Ingress("newcomer", path: "/api"), "CREATE").Allowed);
        Assert.True(admission.Review(Ingress("exact", path: "/api", pathType: "Exact"), "CREATE").Allowed);
    }

    [Fact]
    public void Allows_the_same_host_with_another_path()
    {
        var admission = Webhook(Ingress("owner", path: "/a", created: Old));

        var decision = admission.Review(Ingress("newcomer", path: "/b"), "CREATE");

        Assert.True(decision.Allowed);
        Assert.Equal("", decision.Message);
        Assert.Empty(decision.Warnings);
    }

    [Fact]
    public void Allows_the_same_host_and_path_in_another_class()
    {
        var admission = Webhook(Ingress("owner", className: "nginx", created: Old));

        Assert.True(admission.Review(Ingress("newcomer"), "CREATE").Allowed);
    }

    [Fact]
    public void Allows_an_update_of_the_owner_itself()
    {
        var owner = Ingress("owner", created: Old);
        var admission = Webhook(owner, Ingress("loser", created: Old.AddDays(1)));

        var changed = Ingress("owner", created: Old, annotations: Annotations(("proxy-read-timeout", "30")));

        Assert.True(admission.Review(changed, "UPDATE", previous: owner).Allowed);
    }

    [Fact]
    public void An_update_is_judged_by_its_own_age()
    {
        var admission = Webhook(Ingress("older", path: "/a", created: Old), Ingress("newer", path: "/b", created: Old.AddDays(1)));

        // The older one takes /b from the newer one (alb serves it, the newer one loses): allowed, with a warning.
        var takes = admission.Review(Ingress("older", path: "/b", created: Old), "UPDATE");
        Assert.True(takes.Allowed);
        Assert.Equal(
            ["Ingress default/newer spec.rules[0].http.paths[0] stops being served (ALB1205): host \"app.example.com\" path \"/b\" (Prefix) is already served by the older Ingress default/older; this path is not used"],
            takes.Warnings);

        // The newer one moving to /a, which the older one serves: refused.
        var decision = admission.Review(Ingress("newer", path: "/a", created: Old.AddDays(1)), "UPDATE");
        Assert.False(decision.Allowed);
        Assert.Contains("already served by the older Ingress default/older", decision.Message);
    }

    [Fact]
    public void The_same_path_twice_in_one_Ingress_is_a_warning()
    {
        var twice = Ingress("twice");
        twice.Spec.Rules = [Rule("app.example.com", ("/x", "Prefix"), ("/x/", "Prefix"))];

        var decision = Webhook().Review(twice, "CREATE");

        Assert.True(decision.Allowed);
        Assert.Equal(["ALB1205 spec.rules[0].http.paths[1]: host \"app.example.com\" path \"/x\" (Prefix) is already served by the older Ingress default/twice; this path is not used"], decision.Warnings);
    }

    [Fact]
    public void An_older_Ingress_that_alb_refuses_or_a_canary_serves_no_path()
    {
        var refused = Ingress("refused", created: Old, annotations: Annotations(("server-snippet", "x")));
        var canary = Ingress("canary", created: Old, annotations: Annotations(("canary", "true"), ("canary-weight", "10")));

        Assert.True(Webhook(refused, canary).Review(Ingress("newcomer"), "CREATE").Allowed);
    }

    [Fact]
    public void A_regex_host_compares_paths_as_regexes()
    {
        // On a host where another Ingress sets use-regex, "/api/" and "/api" are different paths; on a plain host, one.
        var owner = Ingress("owner", path: "/api/", created: Old);
        var regex = Ingress("regex", path: "/other", created: Old.AddDays(1), annotations: Annotations(("use-regex", "true")));

        Assert.True(Webhook(owner, regex).Review(Ingress("newcomer", path: "/api"), "CREATE").Allowed);
        Assert.False(Webhook(owner).Review(Ingress("newcomer", path: "/api"), "CREATE").Allowed);
    }

    [Fact]
    public void An_update_that_changes_nothing_alb_reads_is_never_refused()
    {
        var stored = Ingress("snip", created: Old, annotations: Annotations(("server-snippet", "x")));
        var relabelled = Ingress("snip", created: Old, annotations: Annotations(("server-snippet", "x"), ("example.com/owner", "team-a")));
        relabelled.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };

        var decision = Webhook(stored).Review(relabelled, "UPDATE", previous: stored);

        Assert.True(decision.Allowed);
        Assert.StartsWith("not served by alb: ALB1603 Ingress default/snip", decision.Warnings[0]);

        var edited = Ingress("snip", path: "/v2", created: Old, annotations: Annotations(("server-snippet", "x")));
        Assert.False(Webhook(stored).Review(edited, "UPDATE", previous: stored).Allowed);
    }

    [Fact]
    public void Deletes_and_Ingresses_being_deleted_are_allowed()
    {
        var snippet = Ingress("snip", annotations: Annotations(("server-snippet", "x")));
        Assert.True(Webhook().Review(snippet, "DELETE").Allowed);

        snippet.Metadata.DeletionTimestamp = Old;
        Assert.True(Webhook().Review(snippet, "UPDATE").Allowed);
    }
}
