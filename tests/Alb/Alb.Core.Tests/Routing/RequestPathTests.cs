using Alb.Core.Routing;
using CsCheck;
using Xunit;

namespace Alb.Core.Tests.Routing;

/// <summary>The one path normalisation matching, auth and forwarding share.</summary>
public sealed class RequestPathTests
{
    [Theory]
    [InlineData("/", "/", "/")]
    [InlineData("/admin", "/admin", "/admin")]
    [InlineData("/index.html", "/index.html", "/index.html")]
    [InlineData("//admin", "/admin", "/admin")]
    [InlineData("///admin//x/", "/admin/x/", "/admin/x/")]
    [InlineData("/./admin", "/admin", "/admin")]
    [InlineData("/x/../admin", "/admin", "/admin")]
    [InlineData("/../../admin", "/admin", "/admin")]
    [InlineData("/x/%2e%2e/admin", "/admin", "/admin")]
    [InlineData("/%2Fadmin", "/admin", "/admin")]
    [InlineData("/x%2F..%2Fadmin", "/admin", "/admin")]
    [InlineData("/%61dmin", "/admin", "/admin")]
    [InlineData("/a%20b", "/a b", "/a b")]
    [InlineData("/%252e%252e/admin", "/%2e%2e/admin", "/%2e%2e/admin")]
    [InlineData("/admin;param", "/admin;param", "/admin")]
    [InlineData("/admin;jsessionid=1/secret", "/admin;jsessionid=1/secret", "/admin/secret")]
    [InlineData("/public/..;/admin", "/public/..;/admin", "/admin")]
    [InlineData("/a/.", "/a/", "/a/")]
    [InlineData("/caf%C3%A9", "/café", "/café")]
    public void Normalises_once_for_matching_and_forwarding(string raw, string forward, string match)
    {
        Assert.True(RequestPath.TryNormalize(raw, out var f, out var m));
        Assert.Equal(forward, f);
        Assert.Equal(match, m);
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin")]
    [InlineData("/admin\\x")]
    [InlineData("/admin%5Cx")]
    [InlineData("/admin%00")]
    [InlineData("/admin%0d%0aX: y")]
    [InlineData("/admin\u0001")]
    [InlineData("/admin#frag")]
    [InlineData("/bad%zz")]
    [InlineData("/bad%2")]
    [InlineData("/%C3")]
    [InlineData("/%FF%FE")]
    public void Refuses_what_no_request_target_may_hold(string raw) =>
        Assert.False(RequestPath.TryNormalize(raw, out _, out _));

    [Fact]
    public void Never_throws_and_its_output_is_stable_and_clean() =>
        Gen.String[Gen.OneOf(Gen.Const('/'), Gen.Const('.'), Gen.Const('%'), Gen.Const(';'), Gen.Char['0', 'f'], Gen.Char), 0, 40].Sample(tail =>
        {
            if (!RequestPath.TryNormalize("/" + tail, out var forward, out var match))
            {
                return;
            }

            Assert.StartsWith("/", forward, StringComparison.Ordinal);
            Assert.DoesNotContain("//", forward, StringComparison.Ordinal);
            Assert.DoesNotContain("/../", forward + "/", StringComparison.Ordinal);
            Assert.DoesNotContain("/./", forward + "/", StringComparison.Ordinal);
            Assert.DoesNotContain(";", match, StringComparison.Ordinal);
            if (forward.AsSpan().IndexOfAny("%#?") < 0) // a decoded % # ? would mean something else in a raw target
            {
                Assert.True(RequestPath.TryNormalize(forward, out var again, out _));
                Assert.Equal(forward, again);
            }
        }, iter: 20_000);
}
