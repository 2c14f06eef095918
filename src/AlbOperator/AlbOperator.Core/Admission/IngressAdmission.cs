using Alb.Core.Translation;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The pure logic of the operator's validating webhook for Ingresses: refuse what <c>alb</c> would refuse, warn
/// about the rest, in the context of the cluster's other Ingresses. One instance per set of Albs (a new one when an
/// Alb is added, removed or changes class or config); <see cref="Update"/> from the informers, <see cref="Review"/>
/// per request. Thread-safe: <see cref="Update"/> builds a new index and swaps it in; a review reads one index.
/// </summary>
public sealed class IngressAdmission
{
    private readonly IReadOnlyList<AdmissionAlb> _albs;
    private volatile Context _context;

    public IngressAdmission(IEnumerable<AdmissionAlb> albs)
    {
        _albs = [.. albs];
        _context = Context.Build(_albs, [], [], synced: false);
    }

    /// <summary>Albs given by their translation options alone (no ConfigMap: alb's defaults).</summary>
    public IngressAdmission(IEnumerable<TranslationOptions> albs)
        : this(albs.Select(o => new AdmissionAlb(o)))
    {
    }

    /// <summary>Whether <see cref="Update"/> was called: before, host/path conflicts cannot be seen (a review says so).</summary>
    public bool HasClusterContext => _context.Synced;

    /// <summary>
    /// The cluster's Ingresses and IngressClasses, as the informers hold them (after their first full sync). Linear in
    /// the number of Ingresses and translates none of them: cheap enough to call on every change.
    /// </summary>
    public void Update(IReadOnlyList<V1Ingress> ingresses, IReadOnlyList<V1IngressClass> classes) =>
        _context = Context.Build(_albs, ingresses, classes, synced: true);

    /// <summary>
    /// Judges <paramref name="candidate"/> (the object of a <c>CREATE</c> or <c>UPDATE</c>). An Ingress of no Alb is
    /// allowed untouched. <paramref name="previous"/> (the stored object of an UPDATE), when given, lets an update that
    /// changes nothing alb reads through (see <see cref="IngressChange"/>), with any refusal turned into warnings.
    /// </summary>
    public AdmissionDecision Review(V1Ingress candidate, string operation, V1Ingress? previous = null)
    {
        var create = string.Equals(operation, "CREATE", StringComparison.Ordinal);
        if (!create && !string.Equals(operation, "UPDATE", StringComparison.Ordinal))
        {
            return AdmissionDecision.NotReviewed($"operation {operation} is not reviewed");
        }

        if (candidate.Metadata?.DeletionTimestamp is not null)
        {
            return AdmissionDecision.NotReviewed("the Ingress is being deleted");
        }

        // A created Ingress is the newest of all, whatever its object says; an updated one keeps its age. A name the
        // API server has yet to generate (generateName) is shown as such.
        var judged = create || string.IsNullOrEmpty(candidate.Metadata?.Name)
            ? IngressCopy.WithMetadata(candidate, m =>
            {
                m.CreationTimestamp = create ? null : m.CreationTimestamp;
                m.Name = string.IsNullOrEmpty(m.Name) ? $"{m.GenerateName}(generated)" : m.Name;
            })
            : candidate;
        var context = _context;
        var refusals = new List<string>();
        var warnings = new List<string>();
        var ours = false;
        for (var i = 0; i < _albs.Count; i++)
        {
            var index = context.Indexes[i];
            if (!index.Filter.Accepts(judged))
            {
                continue;
            }

            ours = true;
            var verdict = CandidateJudge.Judge(judged, index.Neighbours(judged), _albs[i]);
            refusals.AddRange(verdict.Refusals.Select(AdmissionText.Line));
            warnings.AddRange(verdict.Warnings.Select(AdmissionText.WarningLine));
            warnings.AddRange(verdict.Displaced.Select(d => AdmissionText.Bound($"{d.Object} {d.Field} stops being served ({d.Code}): {d.Message}", AdmissionText.MaxWarning)));
        }

        if (!ours)
        {
            return AdmissionDecision.Allow;
        }

        if (!context.Synced)
        {
            warnings.Add("the webhook has not read the cluster's Ingresses yet: paths already taken by other Ingresses were not checked");
        }

        refusals = [.. refusals.Distinct(StringComparer.Ordinal)];
        if (refusals.Count > 0 && !create && previous is not null && !IngressChange.Relevant(previous, candidate))
        {
            warnings.InsertRange(0, refusals.Select(r => AdmissionText.Bound("not served by alb: " + r, AdmissionText.MaxWarning)));
            refusals.Clear();
        }

        return refusals.Count == 0
            ? new AdmissionDecision(true, "", AdmissionText.Warnings(warnings))
            : new AdmissionDecision(false, AdmissionText.Message("alb would not serve this Ingress:", refusals), AdmissionText.Warnings(warnings));
    }

    /// <summary>One index per Alb, in the order of the Albs, built from one view of the cluster.</summary>
    private sealed record Context(IReadOnlyList<AdmissionIndex> Indexes, bool Synced)
    {
        public static Context Build(IReadOnlyList<AdmissionAlb> albs, IReadOnlyList<V1Ingress> ingresses, IReadOnlyList<V1IngressClass> classes, bool synced)
        {
            var oldestFirst = IngressAge.OldestFirst(ingresses);
            var validClasses = classes.Where(c => c?.Metadata?.Name is not null).ToList();
            return new Context([.. albs.Select(a => AdmissionIndex.Build(oldestFirst, validClasses, a.Options))], synced);
        }
    }
}
