namespace Alb.Core.Policies;

/// <summary>
/// <c>from-to-www-redirect</c>: this server answers every request with <see cref="Code"/> (http-redirect-code) to
/// <c>scheme://Host:port</c> + the request target with one trailing '/' removed, as ingress-nginx's redirect server.
/// </summary>
public sealed record WwwRedirectPolicy(string Host, int Code);
