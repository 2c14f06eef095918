namespace AlbOperator.Core.Validation;

/// <summary>One problem with an Alb, naming the field: <c>spec.replicas: must be >= 1</c>.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
