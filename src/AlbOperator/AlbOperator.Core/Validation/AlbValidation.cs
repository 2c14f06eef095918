using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Validation;

/// <summary>
/// Every problem with an Alb, each naming its field, as data: the operator reports them in <c>Degraded</c>
/// (no admission webhook checks an Alb; the operator's webhook validates Ingresses). Nothing here throws on bad input.
/// </summary>
public static class AlbValidation
{
    private static readonly string[] ServiceTypes = [Defaults.ServiceTypeClusterIp, Defaults.ServiceTypeNodePort, Defaults.ServiceTypeLoadBalancer];
    private static readonly string[] TrafficPolicies = [Defaults.TrafficPolicyCluster, Defaults.TrafficPolicyLocal];
    private static readonly string[] TolerationOperators = ["", "Exists", "Equal"];
    private static readonly string[] TaintEffects = ["", "NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>The object's name and namespace, then its spec after <see cref="Defaults.Apply"/>.</summary>
    public static IReadOnlyList<FieldError> Validate(AlbResource alb)
    {
        var errors = new List<FieldError>();
        var name = alb.Metadata?.Name;

        // The Service is named after the Alb, and Service names are DNS-1035 labels: the strictest of the names used.
        if (KubeNames.CheckDns1035Label(name) is { } nameProblem)
        {
            errors.Add(new("metadata.name", nameProblem));
        }

        if (string.IsNullOrEmpty(alb.Metadata?.NamespaceProperty))
        {
            errors.Add(new("metadata.namespace", "must be set (an Alb is namespaced)"));
        }

        errors.AddRange(ValidateSpec(Defaults.Apply(alb.Spec, name ?? "")));
        return errors;
    }

    /// <summary>A spec that already went through <see cref="Defaults.Apply"/>.</summary>
    public static IReadOnlyList<FieldError> ValidateSpec(AlbSpec spec)
    {
        var errors = new List<FieldError>();
        void Add(string field, string message) => errors.Add(new(field, message));

        if (spec.Replicas is < 1)
        {
            Add("spec.replicas", $"must be >= 1 (got {spec.Replicas})");
        }

        if (spec.Image is { } image && CheckImage(image) is { } imageProblem)
        {
            Add("spec.image", imageProblem);
        }

        if (KubeNames.CheckSubdomain(spec.IngressClass?.Name) is { } className)
        {
            Add("spec.ingressClass.name", className);
        }

        foreach (var (key, value) in spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if ((KubeNames.CheckQualifiedName(key) ?? KubeNames.CheckLabelValue(value)) is { } problem)
            {
                Add("spec.nodeSelector", problem);
            }
        }

        var tolerations = spec.Tolerations ?? [];
        for (var i = 0; i < tolerations.Count; i++)
        {
            ValidateToleration(tolerations[i], $"spec.tolerations[{i}]", Add);
        }

        ValidateResources(spec.Resources, Add);

        foreach (var key in (spec.Config ?? new Dictionary<string, string>()).Keys)
        {
            if (KubeNames.CheckConfigMapKey(key) is { } problem)
            {
                Add("spec.config", problem);
            }
        }

        ValidateService(spec.Service, Add);

        if (spec.Vip is { } vip)
        {
            if (spec.HostNetwork != true)
            {
                Add("spec.vip", "needs spec.hostNetwork: true (vipd holds the VIP on the node, so alb must listen on the node's network)");
            }

            ValidateVip(vip, Add);
        }

        return errors;
    }

    private static void ValidateToleration(V1Toleration? toleration, string at, Action<string, string> add)
    {
        if (toleration is null)
        {
            add(at, "must not be null");
            return;
        }

        var op = toleration.OperatorProperty ?? "";
        if (!TolerationOperators.Contains(op))
        {
            add($"{at}.operator", $"\"{op}\" is not Exists or Equal");
        }

        if (!TaintEffects.Contains(toleration.Effect ?? ""))
        {
            add($"{at}.effect", $"\"{toleration.Effect}\" is not NoSchedule, PreferNoSchedule or NoExecute");
        }

        if (string.IsNullOrEmpty(toleration.Key))
        {
            if (op != "Exists")
            {
                add($"{at}.operator", "must be Exists when key is empty (a toleration of every taint)");
            }
        }
        else if (KubeNames.CheckQualifiedName(toleration.Key) is { } keyProblem)
        {
            add($"{at}.key", keyProblem);
        }

        if (op == "Exists" && !string.IsNullOrEmpty(toleration.Value))
        {
            add($"{at}.value", "must be empty when operator is Exists");
        }
        else if (KubeNames.CheckLabelValue(toleration.Value) is { } valueProblem)
        {
            add($"{at}.value", valueProblem);
        }

        if (toleration.TolerationSeconds is not null && toleration.Effect != "NoExecute")
        {
            add($"{at}.tolerationSeconds", "is only allowed with effect NoExecute");
        }
    }

    private static void ValidateResources(V1ResourceRequirements? resources, Action<string, string> add)
    {
        if (resources is null)
        {
            return;
        }

        if (resources.Claims is { Count: > 0 })
        {
            add("spec.resources.claims", "is not supported (alb needs no dynamic resource claims)");
        }

        var requests = Quantities(resources.Requests, "spec.resources.requests", add);
        var limits = Quantities(resources.Limits, "spec.resources.limits", add);
        foreach (var (key, request) in requests)
        {
            if (limits.TryGetValue(key, out var limit) && request > limit)
            {
                add($"spec.resources.requests.{key}", $"must not exceed spec.resources.limits.{key}");
            }
        }
    }

    private static Dictionary<string, decimal> Quantities(IDictionary<string, ResourceQuantity>? values, string at, Action<string, string> add)
    {
        var parsed = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, quantity) in values ?? new Dictionary<string, ResourceQuantity>())
        {
            if (KubeNames.CheckQualifiedName(key) is { } keyProblem)
            {
                add(at, keyProblem);
                continue;
            }

            if (TryQuantity(quantity, out var value) && value >= 0)
            {
                parsed[key] = value;
            }
            else
            {
                add($"{at}.{key}", $"\"{quantity?.ToString()}\" is not a non-negative quantity (e.g. 500m, 2, 256Mi)");
            }
        }

        return parsed;
    }

    private static bool TryQuantity(ResourceQuantity? quantity, out decimal value)
    {
        value = 0;
        if (quantity is null)
        {
            return false;
        }

        try
        {
            value = quantity.ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static void ValidateService(AlbServiceSpec? service, Action<string, string> add)
    {
        if (service is null)
        {
            return;
        }

        if (!ServiceTypes.Contains(service.Type))
        {
            add("spec.service.type", $"\"{service.Type}\" is not one of {string.Join(", ", ServiceTypes)}");
        }

        if (service.ExternalTrafficPolicy is { } policy)
        {
            if (!TrafficPolicies.Contains(policy))
            {
                add("spec.service.externalTrafficPolicy", $"\"{policy}\" is not Cluster or Local");
            }
            else if (service.Type is not (Defaults.ServiceTypeNodePort or Defaults.ServiceTypeLoadBalancer))
            {
                add("spec.service.externalTrafficPolicy", $"is only allowed with type NodePort or LoadBalancer (type is {service.Type})");
            }
        }

        foreach (var key in (service.Annotations ?? new Dictionary<string, string>()).Keys)
        {
            if (KubeNames.CheckQualifiedName(key) is { } problem)
            {
                add("spec.service.annotations", problem);
            }
        }
    }

    private static void ValidateVip(AlbVipSpec vip, Action<string, string> add)
    {
        if (string.IsNullOrEmpty(vip.Address))
        {
            add("spec.vip.address", "is required");
        }
        else if (!VipAddress.TryParse(vip.Address, out _, out var addressProblem))
        {
            add("spec.vip.address", addressProblem!);
        }

        if (string.IsNullOrEmpty(vip.Interface))
        {
            add("spec.vip.interface", "is required");
        }
        else if (vip.Interface.Length > 15 || vip.Interface is "." or ".." || vip.Interface.Any(c => c is '/' or ':' or '"' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            add("spec.vip.interface", $"\"{vip.Interface}\" is not a Linux interface name (1-15 characters, no '/', ':', quotes or spaces)");
        }

        if (vip.Vrid is null)
        {
            add("spec.vip.vrid", "is required (1..255, unique among the VRRP routers on the segment)");
        }
        else if (vip.Vrid is < 1 or > 255)
        {
            add("spec.vip.vrid", $"must be in 1..255 (got {vip.Vrid})");
        }

        if (vip.AdvertInterval is { } interval && AdvertInterval.Check(interval) is { } intervalProblem)
        {
            add("spec.vip.advertInterval", intervalProblem);
        }

        if (vip.Image is { } image && CheckImage(image) is { } imageProblem)
        {
            add("spec.vip.image", imageProblem);
        }
    }

    private static string? CheckImage(string image) =>
        image.Length == 0 || image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"\"{image}\" is not an image reference (non-empty, no spaces)"
            : null;
}
