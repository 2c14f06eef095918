using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Alb.Core.Routing;
using Alb.Core.Serialization;

namespace Alb.Proxy;

/// <summary>
/// A stable 48-bit hash of a route table (fits a Prometheus float exactly), like ingress-nginx's config_hash: the same
/// table gives the same value in every replica and every run. SHA-256 over the SHA-256 of each host, backend and
/// certificate (JSON, as <c>alb explain</c> prints them) and of the rest of the table. Each part's hash is kept with
/// the part, so a rebuild that shares unchanged parts with the table in service (<see cref="RouteTableReuse"/>)
/// serializes only what changed.
/// </summary>
internal sealed class ConfigHash
{
    private readonly ConditionalWeakTable<object, byte[]> _parts = new();

    public long Of(RouteTable table)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var host in table.Hosts)
        {
            sha.AppendData(Part(host));
        }

        foreach (var backend in table.Backends)
        {
            sha.AppendData(Part(backend));
        }

        foreach (var certificate in table.Certificates)
        {
            sha.AppendData(Part(certificate));
        }

        sha.AppendData(Encoding.UTF8.GetBytes(AlbJson.Serialize(table with { Hosts = [], Backends = [], Certificates = [] })));
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(sha.GetHashAndReset()) >> 16);
    }

    private byte[] Part<T>(T part)
        where T : class => _parts.GetValue(part, static p => SHA256.HashData(Encoding.UTF8.GetBytes(AlbJson.Serialize((T)p))));
}
