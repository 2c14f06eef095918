using Alb.Core.Annotations;
using Alb.Core.Routing;
using Alb.Core.Translation;
using Xunit;

namespace Alb.Core.Tests.Translation;

public sealed class IngressValidationTests
{
    [Theory]
    [InlineData("example.com")]
    [InlineData("a-b.c0.example")]
    [InlineData("*.example.com")]
    [InlineData("x")]
    public void Accepts_hosts(string host) => Assert.True(IngressValidation.TryValidateHost(host, out _));

    [Theory]
    [InlineData("Example.com", "lowercase")]
    [InlineData("10.0.0.1", "IP address")]
    [InlineData("::1", "IP address")]
    [InlineData("*", "wildcard")]
    [InlineData("a.*.com", "wildcard")]
    [InlineData("*foo.com", "wildcard")]
    [InlineData("foo..com", "1 to 63")]
    [InlineData("-a.com", "start or end")]
    [InlineData("a_b.com", "not allowed")]
    public void Rejects_hosts_with_a_reason(string host, string reason)
    {
        Assert.False(IngressValidation.TryValidateHost(host, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", PathKind.Prefix, "/")]
    [InlineData("/a/", PathKind.Prefix, "/a")]
    [InlineData("/a//", PathKind.Exact, null)]
    [InlineData("/a/", PathKind.Exact, "/a/")]
    [InlineData("", PathKind.ImplementationSpecific, "/")]
    [InlineData("", PathKind.Prefix, null)]
    [InlineData("a", PathKind.Prefix, null)]
    [InlineData("/a/./b", PathKind.Prefix, null)]
    [InlineData("/a/..", PathKind.Prefix, null)]
    [InlineData("/a%2Fb", PathKind.Prefix, null)]
    [InlineData("/a b", PathKind.Prefix, null)]
    [InlineData("/a{b}", PathKind.Prefix, null)]
    [InlineData("/a\"b", PathKind.Exact, null)]
    [InlineData("/a\u0000", PathKind.Exact, null)]
    [InlineData("/a;b=c@d:e~f", PathKind.Prefix, "/a;b=c@d:e~f")]
    public void Normalizes_or_rejects_paths(string path, PathKind kind, string? expected)
    {
        var ok = IngressValidation.TryNormalizePath(path, kind, out var normalized, out var why);
        Assert.Equal(expected is not null, ok);
        if (ok)
        {
            Assert.Equal(expected, normalized);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(why));
        }
    }

    [Theory]
    [InlineData("1m", 1048576L)]
    [InlineData("8M", 8388608L)]
    [InlineData("512k", 524288L)]
    [InlineData("0", 0L)]
    [InlineData("1g", 1073741824L)]
    [InlineData("100", 100L)]
    public void Parses_nginx_sizes(string text, long bytes)
    {
        Assert.True(NginxValues.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-1m")]
    [InlineData("1.5m")]
    [InlineData("1t")]
    [InlineData("99999999999g")]
    public void Rejects_bad_sizes(string text) => Assert.False(NginxValues.TryParseSize(text, out _));
}
