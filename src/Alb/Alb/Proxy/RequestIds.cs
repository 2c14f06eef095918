
namespace Alb.Proxy;

/// <summary>
/// X-Request-ID as ingress-nginx does it: the client's, if it is a sane token, else 32 random hex digits.
/// Kept on a feature so the transformer, the access log and the response share one value.
/// </summary>
internal sealed class RequestIds
{
    private const int MaxLength = 128;

    private RequestIds(string id) => Id = id;

    public string Id { get; }

    public static string Get(HttpContext context)
    {
        if (context.Features.Get<RequestIds>() is { } existing)
        {
            return existing.Id;
        }

        var incoming = context.Request.Headers["X-Request-ID"];
        var id = incoming.Count == 1 && IsSane(incoming[0]) ? incoming[0]! : Guid.NewGuid().ToString("N");
        context.Features.Set(new RequestIds(id));
        return id;
    }

    private static bool IsSane(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && value.All(c => c is > ' ' and < (char)127);
}
