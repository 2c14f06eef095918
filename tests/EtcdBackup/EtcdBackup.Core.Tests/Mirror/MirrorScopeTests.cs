using System.Text;
using EtcdBackup.Core.Mirror;

namespace EtcdBackup.Core.Tests.Mirror;

public sealed class MirrorScopeTests
{
    private static MirrorScope? Create(string[] prefixes, string[] excludes, string revKey, List<string> errors) =>
        MirrorScope.Create(prefixes, excludes, revKey, "--rev-key", errors);

    private static bool In(MirrorScope scope, string key) => scope.Contains(Encoding.UTF8.GetBytes(key));

    [Fact]
    public void Accepts_prefixes_minus_excludes_and_keeps_the_resume_key_out()
    {
        var errors = new List<string>();
        var scope = Create(["/registry/", "/extra/"], ["/registry/events/", "/registry/leases/"], "/edge-mirror/1/revision", errors)!;
        Assert.Empty(errors);
        Assert.True(In(scope, "/registry/pods/a"));
        Assert.True(In(scope, "/extra/x"));
        Assert.False(In(scope, "/registry/events/e"));
        Assert.False(In(scope, "/registry/leases/l"));
        Assert.False(In(scope, "/registryx"));
        Assert.False(In(scope, "/edge-mirror/1/revision"));
        Assert.Equal(4, scope.Ranges.Count);
        Assert.Equal("/extra/", Encoding.UTF8.GetString(scope.Covering.Start));
        Assert.Equal("/registry0", Encoding.UTF8.GetString(scope.Covering.End!));
    }

    [Fact]
    public void Mirroring_everything_leaves_out_exactly_the_resume_key()
    {
        var errors = new List<string>();
        var scope = Create([], [], "/edge-mirror/1/revision", errors)!;
        Assert.True(In(scope, "/a"));
        Assert.True(In(scope, "/edge-mirror/1/revision2"));
        Assert.True(In(scope, "\u00ff\u00ff"));
        Assert.False(In(scope, "/edge-mirror/1/revision"));
        Assert.Null(scope.Covering.End);
    }

    [Theory]
    [InlineData(new[] { "/a/", "/a/b/" }, new string[0], "/r", "--prefix: \"/a/\" and \"/a/b/\" overlap")]
    [InlineData(new[] { "/a/", "/a/" }, new string[0], "/r", "overlap")]
    [InlineData(new[] { "" }, new string[0], "/r", "--prefix: an empty prefix")]
    [InlineData(new[] { "/a/" }, new[] { "/b/" }, "/r", "--exclude: \"/b/\" is outside every --prefix")]
    [InlineData(new[] { "/a/" }, new[] { "/a/" }, "/r", "--exclude: \"/a/\" excludes the whole --prefix")]
    [InlineData(new[] { "/a/" }, new string[0], "/a/rev", "--rev-key: \"/a/rev\" is inside the mirrored range")]
    [InlineData(new[] { "/a/" }, new string[0], "", "--rev-key: an empty key")]
    public void Rejects_bad_scopes_naming_the_flag(string[] prefixes, string[] excludes, string revKey, string error)
    {
        var errors = new List<string>();
        Assert.Null(Create(prefixes, excludes, revKey, errors));
        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Accepts_a_resume_key_under_an_exclude()
    {
        var errors = new List<string>();
        Assert.NotNull(Create(["/a/"], ["/a/state/"], "/a/state/rev", errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("/a", "/b")]
    [InlineData("a\u00ff", "b")]
    [InlineData("", null)]
    public void Prefix_end_is_the_first_key_after_the_prefix(string prefix, string? end)
    {
        var result = KeyRange.PrefixEnd(Encoding.Latin1.GetBytes(prefix));
        Assert.Equal(end, result is null ? null : Encoding.Latin1.GetString(result));
    }

    [Fact]
    public void Prefix_end_of_all_ff_bytes_is_the_end_of_the_keyspace() => Assert.Null(KeyRange.PrefixEnd([0xff, 0xff]));
}
