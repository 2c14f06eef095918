using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;

namespace AlbOperator.Core.StatusPlanning;

/// <summary>A problem the host met while reconciling (an apply refused, an object held by another Alb).</summary>
public sealed record ReconcileProblem(string Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}

/// <summary>What the status is computed from: the Alb, and what the host observed of its workloads.</summary>
public sealed record StatusInput
{
    public required AlbResource Alb { get; init; }

    /// <summary>The Alb's Deployment as last observed; null when it does not exist (yet).</summary>
    public V1Deployment? Deployment { get; init; }

    /// <summary>The vipd DaemonSet as last observed (only looked at with <c>spec.vip</c>).</summary>
    public V1DaemonSet? VipdDaemonSet { get; init; }

    /// <summary>Problems of this reconcile; they make <c>Degraded</c> true.</summary>
    public IReadOnlyList<ReconcileProblem> Problems { get; init; } = [];

    /// <summary>Null: computed from <see cref="Alb"/> with <see cref="AlbValidation.Validate"/>.</summary>
    public IReadOnlyList<FieldError>? SpecErrors { get; init; }
}

/// <summary>The status to write, and whether it differs from the one stored (write only then).</summary>
public sealed record StatusPlan(AlbStatus Status, bool Changed);
