using System.Net;

namespace Alb.Pipeline;

/// <summary>
/// One compiled step of a route's pipeline. Returns true when it answered the request (the pipeline stops there).
/// Steps hold no per-request state of their own and read no annotation strings: everything was decided at publish.
/// </summary>
internal abstract class RouteStep
{
    public abstract ValueTask<bool> InvokeAsync(HttpContext context);
}

/// <summary>
/// A step decided without waiting, from what <see cref="LoopRequest"/> holds: the front end's loop runs it as the
/// pipeline does (with what a trusted proxy in front said about the request).
/// </summary>
internal interface ILoopStep
{
    /// <summary>
    /// 0 when the request goes on; else the status of alb's answer, with <paramref name="location"/> for a redirect
    /// (null: a refusal, with alb's plain-text body).
    /// </summary>
    int Answer(in LoopRequest request, out string? location);
}

/// <summary>What a loop step sees of a request: the client's address, Host as sent, the normalised path, the target as sent, whether it came over HTTPS.</summary>
internal readonly record struct LoopRequest(IPAddress Client, string Host, string Path, string RawPath, string Query, ForwardedFeature? Forwarded = null, bool Https = false)
{
    public string Target => RawPath + Query;
}
