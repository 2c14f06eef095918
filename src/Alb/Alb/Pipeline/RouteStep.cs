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
/// A step decided by the client's address alone, without waiting: the front end's loop runs it as the pipeline does.
/// </summary>
internal interface IAddressCheck
{
    /// <summary>0 when the request goes on; else the status alb refuses it with.</summary>
    int Refusal(IPAddress client);
}
