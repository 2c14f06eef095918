using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Edge.Testing.KubeApi;

/// <summary>
/// The validation of reference §3.3.7 and nothing more (no schemas, no pruning): object names (RBAC names as path
/// segments, as the API server checks them), label keys and values, Ingress paths and backends, Lease durations.
/// Every error is collected.
/// </summary>
internal static partial class Validation
{
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private const string LabelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    public static IReadOnlyList<FieldCause> Validate(ResourceType type, JsonObject obj)
    {
        var errors = new List<FieldCause>();
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        var name = (string?)metadata["name"] ?? "";
        if (name.Length == 0)
        {
            errors.Add(Required("metadata.name", "name or generateName is required"));
        }
        else if (type.Group == "rbac.authorization.k8s.io")
        {
            // RBAC names are path segments (apiserver ValidateRBACName), not subdomains: system:controller:x is valid.
            if (PathSegmentProblem(name) is { } problem)
            {
                errors.Add(Invalid("metadata.name", Quote(name), problem));
            }
        }
        else if (type.Group.Length == 0 && type.Plural == "services" ? !Dns1035().IsMatch(name) || name.Length > 63
            : type.Group.Length == 0 && type.Plural == "namespaces" ? !Dns1123Label().IsMatch(name) || name.Length > 63
            : !Dns1123Subdomain().IsMatch(name) || name.Length > 253)
        {
            var message = type.Plural == "services" && type.Group.Length == 0 ? Dns1035Message : type.Plural == "namespaces" ? LabelMessage : SubdomainMessage;
            errors.Add(Invalid("metadata.name", Quote(name), message));
        }

        foreach (var (key, value) in metadata["labels"] as JsonObject ?? [])
        {
            errors.AddRange(LabelKey("metadata.labels", key));
            var text = value?.ToString() ?? "";
            if (text.Length > 63 || !LabelValue().IsMatch(text))
            {
                errors.Add(Invalid($"metadata.labels", Quote(text), LabelValueMessage));
            }
        }

        foreach (var (key, _) in metadata["annotations"] as JsonObject ?? [])
        {
            errors.AddRange(LabelKey("metadata.annotations", key));
        }

        switch (type.Group, type.Plural)
        {
            case ("networking.k8s.io", "ingresses"):
                Ingress(obj["spec"] as JsonObject, errors);
                break;
            case ("coordination.k8s.io", "leases"):
                if (obj["spec"]?["leaseDurationSeconds"] is JsonValue duration && duration.TryGetValue<long>(out var seconds) && seconds <= 0)
                {
                    errors.Add(Invalid("spec.leaseDurationSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than 0"));
                }

                break;
        }

        return errors;
    }

    public static FieldCause Required(string field, string detail) => new("FieldValueRequired", $"Required value: {detail}", field);

    public static FieldCause Invalid(string field, string value, string detail) => new("FieldValueInvalid", $"Invalid value: {value}: {detail}", field);

    public static FieldCause Forbidden(string field, string detail) => new("FieldValueForbidden", $"Forbidden: {detail}", field);

    private static string? PathSegmentProblem(string name) =>
        name is "." or ".." ? $"may not be '{name}'"
        : name.Contains('/', StringComparison.Ordinal) ? "may not contain '/'"
        : name.Contains('%', StringComparison.Ordinal) ? "may not contain '%'"
        : null;

    private static string Quote(string value) => "\"" + value + "\"";

    private static IEnumerable<FieldCause> LabelKey(string field, string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (prefix, name) = slash >= 0 ? (key[..slash], key[(slash + 1)..]) : ("", key);
        if ((slash >= 0 && (prefix.Length == 0 || prefix.Length > 253 || !Dns1123Subdomain().IsMatch(prefix))) ||
            name.Length == 0 || name.Length > 63 || !QualifiedName().IsMatch(name))
        {
            yield return Invalid(field, Quote(key), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        }
    }

    private static void Ingress(JsonObject? spec, List<FieldCause> errors)
    {
        if (spec is null)
        {
            return;
        }

        if (spec["defaultBackend"] is JsonObject defaultBackend)
        {
            Backend(defaultBackend, "spec.defaultBackend", errors);
        }

        var rules = spec["rules"] as JsonArray ?? [];
        for (var r = 0; r < rules.Count; r++)
        {
            var paths = rules[r]?["http"]?["paths"] as JsonArray ?? [];
            for (var p = 0; p < paths.Count; p++)
            {
                var at = $"spec.rules[{r}].http.paths[{p}]";
                var path = paths[p] as JsonObject ?? new JsonObject();
                var pathType = (string?)path["pathType"];
                var value = (string?)path["path"] ?? "";
                if (pathType is null)
                {
                    errors.Add(Required(at + ".pathType", "pathType must be specified"));
                }
                else if (pathType is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                {
                    errors.Add(new FieldCause("FieldValueNotSupported", $"Unsupported value: {Quote(pathType)}: supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"", at + ".pathType"));
                }
                else if (pathType is "Exact" or "Prefix" && !value.StartsWith('/'))
                {
                    errors.Add(Invalid(at + ".path", Quote(value), "must be an absolute path"));
                }

                Backend(path["backend"] as JsonObject, at + ".backend", errors);
            }
        }
    }

    private static void Backend(JsonObject? backend, string at, List<FieldCause> errors)
    {
        var service = backend?["service"] as JsonObject;
        var resource = backend?["resource"] as JsonObject;
        if (service is not null && resource is not null)
        {
            errors.Add(Invalid(at, "\"\"", "cannot set both resource and service backends"));
            return;
        }

        if (service is null && resource is null)
        {
            errors.Add(Invalid(at, "\"\"", "resource or service backend is required"));
            return;
        }

        if (service is not null)
        {
            if (string.IsNullOrEmpty((string?)service["name"]))
            {
                errors.Add(Required(at + ".service.name", ""));
            }

            var port = service["port"] as JsonObject;
            var hasNumber = port?["number"] is not null;
            var hasName = !string.IsNullOrEmpty((string?)port?["name"]);
            if (hasNumber == hasName)
            {
                errors.Add(Invalid(at + ".service.port", "\"\"", hasNumber ? "cannot set both port name & port number" : "port name or number is required"));
            }
        }
        else if (string.IsNullOrEmpty((string?)resource!["kind"]) || string.IsNullOrEmpty((string?)resource["name"]))
        {
            errors.Add(Required(at + ".resource", "kind and name are required"));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
