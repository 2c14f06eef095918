using k8s.Models;

namespace AlbOperator.Core.Schema;

/// <summary>Small builders for structural OpenAPI v3 schemas.</summary>
internal static class SchemaProps
{
    public static V1JSONSchemaProps Object(string description, Dictionary<string, V1JSONSchemaProps> properties, IList<string>? required = null, object? @default = null) => new()
    {
        Type = "object",
        Description = description,
        Properties = properties,
        Required = required,
        DefaultProperty = @default,
    };

    public static V1JSONSchemaProps StringMap(string description) => new()
    {
        Type = "object",
        Description = description,
        AdditionalProperties = new V1JSONSchemaProps { Type = "string" },
    };

    public static V1JSONSchemaProps String(string description, string? pattern = null, int? maxLength = null, string? @default = null, IList<object>? @enum = null, string? format = null) => new()
    {
        Type = "string",
        Description = description,
        Pattern = pattern,
        MinLength = @enum is null && format is null ? 1 : null,
        MaxLength = maxLength,
        DefaultProperty = @default,
        EnumProperty = @enum,
        Format = format,
    };

    public static V1JSONSchemaProps Integer(string description, long? minimum = null, long? maximum = null, int? @default = null, string format = "int32") => new()
    {
        Type = "integer",
        Format = format,
        Description = description,
        Minimum = minimum,
        Maximum = maximum,
        DefaultProperty = @default,
    };

    public static V1JSONSchemaProps Boolean(string description, bool? @default = null) => new()
    {
        Type = "boolean",
        Description = description,
        DefaultProperty = @default,
    };

    public static V1JSONSchemaProps Array(string description, V1JSONSchemaProps items, string? listType = null, IList<string>? mapKeys = null) => new()
    {
        Type = "array",
        Description = description,
        Items = items,
        XKubernetesListType = listType,
        XKubernetesListMapKeys = mapKeys,
    };

    /// <summary>A resource quantity (<c>500m</c>, <c>2</c>, <c>256Mi</c>), as Kubernetes' own schemas write one.</summary>
    public static V1JSONSchemaProps Quantity() => new()
    {
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }],
        Pattern = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
        XKubernetesIntOrString = true,
    };
}
