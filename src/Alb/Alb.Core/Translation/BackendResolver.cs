using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>
/// Resolves an Ingress backend as a cluster does: Service, then its port (by number or name), then the ready
/// endpoints of the EndpointSlices labelled with the Service name. One Backend per Service port, shared by routes.
/// </summary>
internal sealed class BackendResolver(ClusterSnapshot snapshot, List<Diagnostic> diagnostics, TranslationCache cache)
{
    private readonly Dictionary<string, Backend> _backends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiagnosticCode> _problemCodes = new(StringComparer.Ordinal);
    private readonly HashSet<(string Backend, string Object)> _reported = [];
    private readonly Dictionary<(string Ns, string Service, string Port, bool ClusterIp), string> _ids = [];

    public IEnumerable<Backend> Backends => _backends.Values.OrderBy(b => b.Id, StringComparer.Ordinal);

    /// <summary>Returns the backend id; problems are recorded on the Backend (it answers 503) and as diagnostics.</summary>
    public string Resolve(V1Ingress ingress, V1IngressBackend? backend, FieldPath field, bool serviceUpstream = false)
    {
        var ns = ObjectNames.Ns(ingress.Metadata);

        if (backend?.Service is null || backend.Resource is not null)
        {
            var why = backend switch
            {
                null => "no backend",
                { Service: not null, Resource: not null } => "names both service and resource",
                { Resource: not null } => $"resource backends ({backend.Resource.Kind} {backend.Resource.Name}) are not supported; only Services",
                _ => "names neither service nor resource",
            };
            return Invalid($"{ns}/{ingress.Metadata.Name}:{field}", ns, "", "", ObjectNames.Of(ingress), field.ToString(), why);
        }

        var svcName = backend.Service.Name ?? "";
        var port = backend.Service.Port;
        var portText = port?.Number is int n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : port?.Name ?? "";
        if (string.IsNullOrEmpty(svcName) || port is null || (port.Number is null) == string.IsNullOrEmpty(port.Name) ||
            port.Number is < 1 or > 65535)
        {
            var why = string.IsNullOrEmpty(svcName) ? "service.name is empty"
                : port is null || (port.Number is null && string.IsNullOrEmpty(port.Name)) ? "service.port needs a number or a name"
                : port.Number is not null && !string.IsNullOrEmpty(port.Name) ? "service.port has both a number and a name"
                : $"service.port.number {port.Number} is outside 1-65535";
            return Invalid($"{ns}/{ingress.Metadata.Name}:{field}", ns, svcName, portText, ObjectNames.Of(ingress), field.Then(".service").ToString(), why);
        }

        if (!_ids.TryGetValue((ns, svcName, portText, serviceUpstream), out var id))
        {
            id = serviceUpstream ? $"{ns}/{svcName}:{portText}@cluster-ip" : $"{ns}/{svcName}:{portText}";
            _ids[(ns, svcName, portText, serviceUpstream)] = id;
        }

        if (!_backends.TryGetValue(id, out var resolved))
        {
            var service = snapshot.FindService(ns, svcName);
            var slices = snapshot.FindEndpointSlices(ns, svcName);
            if (!cache.TryReuseBackend(id, port.Number is null, service, slices, out resolved, out var problemCode))
            {
                // Made of the Service and its EndpointSlices alone (the id spells the rest), so kept while they are the same.
                (resolved, problemCode) = serviceUpstream ? BuildClusterIp(id, ns, svcName, port, portText) : Build(id, ns, svcName, port, portText);
                cache.KeepBackend(id, port.Number is null, service, slices, resolved, problemCode);
            }

            _backends[id] = resolved;
            if (problemCode is not null)
            {
                _problemCodes[id] = problemCode;
            }
        }

        Report(resolved, ingress, field.Then(".service"));
        return id;
    }

    private string Invalid(string id, string ns, string svc, string port, string owner, string field, string why)
    {
        var backendId = "invalid:" + id;
        _backends[backendId] = new Backend(backendId, ns, svc, port, [], null, why);
        diagnostics.Add(Codes.InvalidBackend.At(owner, field, why + "; the route answers 503"));
        return backendId;
    }

    private (Backend Backend, DiagnosticCode? Code) Build(string id, string ns, string name, V1ServiceBackendPort port, string portText)
    {
        var service = snapshot.FindService(ns, name);
        if (service is null)
        {
            return (new Backend(id, ns, name, portText, [], null, $"Service {ns}/{name} not found"), Codes.ServiceNotFound);
        }

        var servicePort = service.Spec?.Ports?.FirstOrDefault(p =>
            port.Number is int number ? p.Port == number : string.Equals(p.Name, port.Name, StringComparison.Ordinal));

        if (string.Equals(service.Spec?.Type, "ExternalName", StringComparison.Ordinal))
        {
            var target = service.Spec?.ExternalName;
            if (string.IsNullOrEmpty(target))
            {
                return (new Backend(id, ns, name, portText, [], null, $"ExternalName Service {ns}/{name} has no spec.externalName"), Codes.ServicePortNotFound);
            }

            var externalPort = servicePort?.Port ?? port.Number;
            return externalPort is int p
                ? (new Backend(id, ns, name, portText, [new BackendEndpoint(target.TrimEnd('.'), p)], target.TrimEnd('.'), null), null)
                : (new Backend(id, ns, name, portText, [], target, $"ExternalName Service {ns}/{name} has no port named \"{port.Name}\""), Codes.ServicePortNotFound);
        }

        if (servicePort is null)
        {
            return (new Backend(id, ns, name, portText, [], null, $"Service {ns}/{name} has no port {(port.Number is int num ? num.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"named \"{port.Name}\"")}"), Codes.ServicePortNotFound);
        }

        var endpoints = ReadyEndpoints(ns, name, servicePort);
        return endpoints.Length == 0
            ? (new Backend(id, ns, name, portText, [], null, $"Service {ns}/{name} port {portText} has no ready endpoints"), Codes.NoReadyEndpoints)
            : (new Backend(id, ns, name, portText, new EquatableArray<BackendEndpoint>(endpoints), null, null), null);
    }

    /// <summary>
    /// <c>default-backend</c>: a Service of the Ingress's namespace, on its first port (as ingress-nginx). Null with a
    /// diagnostic when the Service does not exist or has no port.
    /// </summary>
    public string? ResolveDefaultBackend(V1Ingress ingress, string serviceName, string field)
    {
        var ns = ObjectNames.Ns(ingress.Metadata);
        var service = snapshot.FindService(ns, serviceName);
        if (service?.Spec?.Ports is not { Count: > 0 } ports || ports[0].Port is not (>= 1 and <= 65535))
        {
            diagnostics.Add(Codes.InvalidErrorsValue.At(ObjectNames.Of(ingress), field, $"Service {ns}/{serviceName} {(service is null ? "does not exist" : "has no port")}; ignored (as ingress-nginx)"));
            return null;
        }

        return Resolve(ingress, new V1IngressBackend { Service = new V1IngressServiceBackend { Name = serviceName, Port = new V1ServiceBackendPort { Number = ports[0].Port } } }, field);
    }

    /// <summary><c>service-upstream</c>: the Service's cluster IP and port as the one endpoint (kube-proxy balances).</summary>
    private (Backend Backend, DiagnosticCode? Code) BuildClusterIp(string id, string ns, string name, V1ServiceBackendPort port, string portText)
    {
        var service = snapshot.FindService(ns, name);
        var servicePort = service?.Spec?.Ports?.FirstOrDefault(p => port.Number is int number ? p.Port == number : string.Equals(p.Name, port.Name, StringComparison.Ordinal));
        if (service is null || servicePort is null)
        {
            return Build(id, ns, name, port, portText);
        }

        var clusterIp = service.Spec?.ClusterIP;
        return string.IsNullOrEmpty(clusterIp) || clusterIp == "None" || !System.Net.IPAddress.TryParse(clusterIp, out _)
            ? (new Backend(id, ns, name, portText, [], null, $"Service {ns}/{name} has no cluster IP for service-upstream"), Codes.ServicePortNotFound)
            : (new Backend(id, ns, name, portText, [new BackendEndpoint(clusterIp, servicePort.Port)], null, null), null);
    }

    private ImmutableArray<BackendEndpoint> ReadyEndpoints(string ns, string service, V1ServicePort servicePort)
    {
        var portName = servicePort.Name ?? "";
        var result = new SortedSet<(string, int)>();
        foreach (var slice in snapshot.FindEndpointSlices(ns, service))
        {
            if (slice.AddressType is "FQDN")
            {
                continue; // FQDN slices are not produced for Services with selectors; kube-proxy ignores them too
            }

            var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == portName);
            if (slicePort?.Port is not int targetPort)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (IsReady(endpoint.Conditions) && endpoint.Addresses is { Count: > 0 } addresses)
                {
                    result.Add((addresses[0], targetPort));
                }
            }
        }

        return [.. result.Select(e => new BackendEndpoint(e.Item1, e.Item2))];
    }

    /// <summary>
    /// EndpointSlice conditions per the API: not terminating, and ready; where ready is absent, serving decides;
    /// where both are absent, the endpoint counts as ready.
    /// </summary>
    internal static bool IsReady(V1EndpointConditions? conditions) =>
        conditions is null ||
        (conditions.Terminating != true && (conditions.Ready ?? conditions.Serving ?? true));

    private void Report(Backend backend, V1Ingress ingress, FieldPath field)
    {
        if (backend.ExternalName is null && backend.Problem is null)
        {
            return; // nothing to say, the common case: no owner text built
        }

        var owner = ObjectNames.Of(ingress);
        if (!_reported.Add((backend.Id, owner)))
        {
            return;
        }

        if (backend.ExternalName is not null && backend.Problem is null)
        {
            diagnostics.Add(Codes.ExternalNameService.At(owner, field.ToString(), $"Service {backend.Namespace}/{backend.Service} is ExternalName {backend.ExternalName}; resolved by DNS when forwarding"));
        }
        else if (backend.Problem is { } problem && _problemCodes.TryGetValue(backend.Id, out var code))
        {
            diagnostics.Add(code.At(owner, field.ToString(), problem + "; the route answers 503"));
        }
    }
}
