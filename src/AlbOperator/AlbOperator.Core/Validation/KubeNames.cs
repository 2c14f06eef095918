using System.Text.RegularExpressions;

namespace AlbOperator.Core.Validation;

/// <summary>Kubernetes' name and label syntax (apimachinery <c>validation</c>), answered with a reason or null.</summary>
public static partial class KubeNames
{
    /// <summary>RFC 1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters.</summary>
    public static string? CheckSubdomain(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        if (value.Length > 253)
        {
            return $"must be at most 253 characters (has {value.Length})";
        }

        return Subdomain().IsMatch(value)
            ? null
            : $"\"{value}\" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";
    }

    /// <summary>RFC 1035 label, as Service names need: a lowercase letter first, at most 63 characters.</summary>
    public static string? CheckDns1035Label(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        if (value.Length > 63)
        {
            return $"must be at most 63 characters (has {value.Length})";
        }

        return Dns1035Label().IsMatch(value)
            ? null
            : $"\"{value}\" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, ending with a letter or digit)";
    }

    /// <summary>A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static string? CheckQualifiedName(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "a key must not be empty";
        }

        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && CheckSubdomain(key[..slash]) is not null)
        {
            return $"key \"{key}\": the prefix must be a DNS-1123 subdomain";
        }

        if (name.Length is 0 or > 63 || !QualifiedNamePart().IsMatch(name))
        {
            return $"key \"{key}\": the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
        }

        return null;
    }

    /// <summary>A label value: empty, or at most 63 alphanumerics, '-', '_' or '.' starting and ending with an alphanumeric.</summary>
    public static string? CheckLabelValue(string? value) =>
        string.IsNullOrEmpty(value) || (value.Length <= 63 && QualifiedNamePart().IsMatch(value))
            ? null
            : $"value \"{value}\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";

    /// <summary>A ConfigMap key: at most 253 alphanumerics, '-', '_' or '.'.</summary>
    public static string? CheckConfigMapKey(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= 253 && ConfigMapKey().IsMatch(key) && key is not ("." or "..")
            ? null
            : $"key \"{key}\" must be 1-253 alphanumerics, '-', '_' or '.'";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigMapKey();
}
