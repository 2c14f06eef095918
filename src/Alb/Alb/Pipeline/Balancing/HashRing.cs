using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Alb.Pipeline.Balancing;

/// <summary>
/// The consistent-hash ring of lua-resty-balancer's <c>resty.chash</c>, which ingress-nginx uses: 160 CRC-32 points
/// per node, each derived from the previous; a key goes to the point with the largest hash not above the key's CRC-32
/// (the first point when the key is below all). Adding or removing a node moves only that node's share of keys.
/// </summary>
internal sealed class HashRing
{
    private const int PointsPerNode = 160;
    private readonly uint[] _points;
    private readonly int[] _nodes;

    public HashRing(IReadOnlyList<string> nodeIds)
    {
        var points = new List<(uint Hash, int Node)>(nodeIds.Count * PointsPerNode);
        Span<byte> previous = stackalloc byte[4];
        for (var n = 0; n < nodeIds.Count; n++)
        {
            var baseHash = Crc32.HashToUInt32(Encoding.UTF8.GetBytes(nodeIds[n]));
            uint point = 0;
            for (var i = 0; i < PointsPerNode; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(previous, point);
                var crc = new Crc32();
                crc.Append(BitConverter.GetBytes(baseHash));
                crc.Append(previous);
                point = crc.GetCurrentHashAsUInt32();
                points.Add((point, n));
            }
        }

        points.Sort((a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : a.Node.CompareTo(b.Node));
        _points = [.. points.Select(p => p.Hash)];
        _nodes = [.. points.Select(p => p.Node)];
    }

    /// <summary>The node index a key maps to.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        var hash = Crc32.HashToUInt32(key);
        var index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index - 1; // the largest point below the key
        }

        return _nodes[Math.Max(index, 0)];
    }
}
