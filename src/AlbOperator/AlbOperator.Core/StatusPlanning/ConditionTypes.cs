namespace AlbOperator.Core.StatusPlanning;

/// <summary>The three conditions of <c>Alb.status</c> and their reasons.</summary>
public static class ConditionTypes
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";
}

/// <summary>Every reason the operator writes, one place so docs and tests can enumerate them.</summary>
public static class Reasons
{
    // Available
    public const string AllReplicasReady = "AllReplicasReady";
    public const string ReplicasNotReady = "ReplicasNotReady";
    public const string DeploymentNotFound = "DeploymentNotFound";
    public const string VipdNotFound = "VipdNotFound";
    public const string VipdNotReady = "VipdNotReady";

    // Progressing
    public const string Creating = "Creating";
    public const string RollingOut = "RollingOut";
    public const string RolloutComplete = "RolloutComplete";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";

    // Degraded (and Progressing for InvalidSpec)
    public const string AsExpected = "AsExpected";
    public const string InvalidSpec = "InvalidSpec";
    public const string ReplicaFailure = "ReplicaFailure";
    public const string ReplicasUnavailable = "ReplicasUnavailable";
    public const string NoVipdNodes = "NoVipdNodes";
    public const string VipdUnavailable = "VipdUnavailable";

    // Problems the host reports (ReconcileProblem.Reason)
    public const string ApplyFailed = "ApplyFailed";
    public const string OwnershipConflict = "OwnershipConflict";

    /// <summary>The operator could not register its admission webhook (the ValidatingWebhookConfiguration or its certificate).</summary>
    public const string WebhookNotRegistered = "WebhookNotRegistered";
}
