namespace AlbOperator.Core.Admission;

/// <summary>
/// The answer for one Ingress: allowed or not, the refusing diagnostics as one bounded message (empty when allowed),
/// and the warnings <c>kubectl</c> prints either way (each bounded, as the API server truncates longer ones).
/// </summary>
public sealed record AdmissionDecision(bool Allowed, string Message, IReadOnlyList<string> Warnings)
{
    /// <summary>Allowed, with nothing to say.</summary>
    public static AdmissionDecision Allow { get; } = new(true, "", []);

    /// <summary>Allowed without review, and why (a kind, operation or subresource the webhook does not judge).</summary>
    public static AdmissionDecision NotReviewed(string why) => new(true, why, []);
}
