namespace AlbOperator.Core.Desired;

/// <summary>What the operator decides for every Alb (its flags), as opposed to what each Alb's spec says.</summary>
public sealed record DesiredStateOptions
{
    /// <summary>The alb image when <c>spec.image</c> is absent (the operator's <c>--alb-image</c>).</summary>
    public required string AlbImage { get; init; }

    /// <summary>
    /// The vipd image when <c>spec.vip.image</c> is absent. Absent here too: <see cref="AlbImage"/> with its last
    /// path segment replaced by <c>vipd</c> (<c>registry.example.com/edge/alb:1.2</c> → <c>registry.example.com/edge/vipd:1.2</c>),
    /// which the Containerfiles in <c>deploy/containers</c> produce side by side.
    /// </summary>
    public string? VipdImage { get; init; }
}
