using System.Text;
using EtcdBackup.Core.Manifests;

namespace EtcdBackup.Core.Tests.Manifests;

public class SnapshotManifestTests
{
    internal static SnapshotManifest Sample(string name = "etcd-20261125T143000.123Z", long storedSize = 1000) =>
        new(SnapshotManifest.CurrentFormat, name, name + ".db", new DateTimeOffset(2026, 11, 25, 14, 30, 0, 123, TimeSpan.Zero),
            "cdf818194e3a8c32", "8e9e05c52164694d", "m1", "http://127.0.0.1:2379/", 42, 42, 7, "3.4.23", storedSize - 32,
            new string('a', 64), storedSize, new string('b', 64), "none", "none", null, TimeSpan.FromSeconds(1.5));

    [Fact]
    public void Round_trips_through_json()
    {
        var manifest = Sample();
        Assert.True(SnapshotManifest.TryParse(manifest.ToJson(), out var back, out var error), error);
        Assert.Equal(manifest, back);
        Assert.Contains("\"etcdSha256\"", Encoding.UTF8.GetString(manifest.ToJson()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "not a snapshot manifest")]
    [InlineData("[]", "not a snapshot manifest")]
    [InlineData("{\"format\": 2, \"name\": \"x\"}", "manifest format 2 is not 1")]
    [InlineData("{\"format\": 1, \"name\": \"x\", \"object\": \"x.db\", \"sha256\": \"ab\", \"etcdSha256\": \"cd\"}", "manifest without a SHA-256")]
    public void Rejects_what_is_not_a_manifest_with_a_reason(string json, string reason)
    {
        Assert.False(SnapshotManifest.TryParse(Encoding.UTF8.GetBytes(json), out var manifest, out var error));
        Assert.Null(manifest);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }
}
