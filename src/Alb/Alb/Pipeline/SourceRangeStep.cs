using System.Net;
using Alb.Core.Policies;

namespace Alb.Pipeline;

/// <summary>allow/deny as nginx's access module runs them: the deny list first, then the allow list; 403 otherwise.</summary>
internal sealed class SourceRangeStep : RouteStep, ILoopStep
{
    private readonly IPNetwork[] _allow;
    private readonly IPNetwork[] _deny;

    public SourceRangeStep(SourceRangePolicy policy)
    {
        _allow = [.. policy.Allow.Select(a => IPNetwork.Parse(a))];
        _deny = [.. policy.Deny.Select(d => IPNetwork.Parse(d))];
    }

    public override async ValueTask<bool> InvokeAsync(HttpContext context)
    {
        if (Admits(ClientAddress.Of(context)))
        {
            return false;
        }

        await Answers.WriteStatusAsync(context, StatusCodes.Status403Forbidden).ConfigureAwait(false);
        return true;
    }

    public int Answer(in LoopRequest request, out string? location)
    {
        location = null;
        return Admits(request.Client) ? 0 : StatusCodes.Status403Forbidden;
    }

    public bool Admits(IPAddress? client)
    {
        if (client is null)
        {
            return false;
        }

        if (Contains(_deny, client))
        {
            return false;
        }

        return _allow.Length == 0 || Contains(_allow, client);
    }

    internal static bool Contains(IPNetwork[] networks, IPAddress client)
    {
        foreach (var network in networks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The one client address that source ranges, rate limits and X-Forwarded-* use (IPv4-mapped IPv6 unmapped).</summary>
internal static class ClientAddress
{
    public static IPAddress? Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
