using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// What alb would do with one candidate Ingress: the diagnostics that refuse it, those it serves it with, and the
/// paths of other (newer) Ingresses that would lose to it.
/// </summary>
internal sealed record Verdict(IReadOnlyList<Diagnostic> Refusals, IReadOnlyList<Diagnostic> Warnings, IReadOnlyList<Diagnostic> Displaced);

/// <summary>
/// Judges a candidate with alb's own <see cref="Translator"/>, run on the candidate and its neighbours only (the
/// Ingresses of its hosts that can take a path from it or change its host's mode; see <see cref="AdmissionIndex"/>),
/// never on the whole cluster. alb refuses an Ingress in two ways the webhook turns into a refusal:
/// <list type="bullet">
/// <item>the Ingress is not served at all (<c>ALB1605</c>): a snippet or Critical annotation (<c>ALB1603</c>), or a
/// value ingress-nginx rejects the Ingress for (the families' "Ingress not served" outcomes);</item>
/// <item>a host + path + pathType of it is already served by an older Ingress (<c>ALB1205</c>); a duplicate within the
/// candidate itself is only a warning (alb keeps the first).</item>
/// </list>
/// Everything else of Warning or Error severity (a route answering 503, a dropped path, a value defaulted) is a warning.
/// </summary>
internal static class CandidateJudge
{
    /// <summary>Bounds the search for further refusing annotations (each round is one single-Ingress translation).</summary>
    private const int MaxRefusalRounds = 16;

    private const string NotServed = "not served: ";

    public static Verdict Judge(V1Ingress candidate, IReadOnlyCollection<V1Ingress> neighbours, AdmissionAlb alb)
    {
        var name = ObjectNames.Of(candidate);
        var all = Translate([candidate, .. neighbours], alb);
        var mine = all.Where(d => d.Object == name).ToList();

        List<Diagnostic> refusals;
        if (mine.Any(d => d.Code == Codes.IngressRefused.Code))
        {
            refusals = RefusingAnnotations(candidate, name, mine, alb);
        }
        else if (mine.Any(d => d.Code == Codes.DuplicatePath.Code))
        {
            // Which paths lose to the candidate's own earlier paths: those it would lose alone.
            var own = Translate([candidate], alb).Where(d => d.Object == name && d.Code == Codes.DuplicatePath.Code).Select(d => d.Field).ToHashSet(StringComparer.Ordinal);
            refusals = [.. mine.Where(d => d.Code == Codes.DuplicatePath.Code && !own.Contains(d.Field))];
        }
        else
        {
            refusals = [];
        }

        var warnings = mine
            .Where(d => d.Severity >= Severity.Warning && d.Code != Codes.IngressRefused.Code && !refusals.Contains(d) && !UnseenObjects.DependsOn(d))
            .Distinct()
            .ToList();
        var displaced = all.Where(d => d.Code == Codes.DuplicatePath.Code && d.Object != name && d.Message.Contains($" by the older {name};", StringComparison.Ordinal)).ToList();
        return new Verdict(refusals, warnings, displaced);
    }

    /// <summary>
    /// Every annotation that makes alb refuse the candidate, not only the first: alb names one reason (<c>ALB1605</c>,
    /// <c>not served: KEY: MESSAGE</c>); the diagnostic it comes from is taken, that annotation left out, and the
    /// candidate translated again, alone, until alb would serve it.
    /// </summary>
    private static List<Diagnostic> RefusingAnnotations(V1Ingress candidate, string name, List<Diagnostic> diagnostics, AdmissionAlb alb)
    {
        var refusals = new List<Diagnostic>();
        var current = candidate;
        for (var round = 0; round < MaxRefusalRounds; round++)
        {
            var refused = diagnostics.FirstOrDefault(d => d.Code == Codes.IngressRefused.Code);
            if (refused is null)
            {
                break;
            }

            var key = KeyOf(refused.Message);
            var cause = key is null ? null : diagnostics.FirstOrDefault(d =>
                d.Field == $"metadata.annotations[{key}]" && d.Code != Codes.IngressRefused.Code && refused.Message == $"{NotServed}{key}: {d.Message}");
            refusals.Add(cause ?? refused);
            if (key is null || current.Metadata.Annotations?.ContainsKey(key) != true)
            {
                break;
            }

            current = IngressCopy.WithoutAnnotation(current, key);
            diagnostics = [.. Translate([current], alb).Where(d => d.Object == name)];
        }

        return refusals;
    }

    /// <summary>The annotation key of alb's <c>not served: KEY: MESSAGE</c> (keys hold neither ':' nor ' ').</summary>
    private static string? KeyOf(string message)
    {
        if (!message.StartsWith(NotServed, StringComparison.Ordinal))
        {
            return null;
        }

        var end = message.IndexOf(": ", NotServed.Length, StringComparison.Ordinal);
        return end > NotServed.Length ? message[NotServed.Length..end] : null;
    }

    private static ImmutableArray<Diagnostic> Translate(IEnumerable<V1Ingress> ingresses, AdmissionAlb alb)
    {
        // The class was decided by the index (alb's IngressClassFilter); every Ingress given here is this Alb's.
        var snapshot = new ClusterSnapshot(ingresses, [], [], [], [], alb.ConfigMap is null ? [] : [alb.ConfigMap]);
        return Translator.Translate(snapshot, alb.Options with { AllClasses = true }).Diagnostics;
    }
}
