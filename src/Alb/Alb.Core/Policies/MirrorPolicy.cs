namespace Alb.Core.Policies;

/// <summary>
/// A copy of every request of the route goes to <see cref="Url"/> (+ the request URI when <see cref="AppendRequestUri"/>)
/// with <c>Host: Host</c>, the body too unless <see cref="Body"/> is false. Fire and forget, bounded, never delaying
/// or changing the real answer.
/// </summary>
public sealed record MirrorPolicy(string Url, bool AppendRequestUri, string Host, bool Body);
