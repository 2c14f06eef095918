using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// Server-side snapshots behind <c>continue</c> tokens: every page of a paged list comes from the same snapshot and
/// carries its resourceVersion. A snapshot older than the event window (or evicted, past the newest 64) is expired.
/// </summary>
internal sealed class ListSnapshots
{
    private const int Capacity = 64;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Snapshot> _snapshots = [];
    private readonly Queue<string> _order = new();

    public sealed record Snapshot(long ResourceVersion, IReadOnlyList<JsonObject> Items);

    public sealed record Token(string Id, long ResourceVersion, int Offset, string LastNamespace, string LastName);

    public string Add(Snapshot snapshot)
    {
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _snapshots[id] = snapshot;
            _order.Enqueue(id);
            while (_order.Count > Capacity)
            {
                _snapshots.Remove(_order.Dequeue());
            }
        }

        return id;
    }

    public Snapshot? Find(string id)
    {
        lock (_gate)
        {
            return _snapshots.GetValueOrDefault(id);
        }
    }

    public static string Encode(Token token)
    {
        var json = new JsonObject
        {
            ["id"] = token.Id,
            ["rv"] = token.ResourceVersion,
            ["offset"] = token.Offset,
            ["ns"] = token.LastNamespace,
            ["name"] = token.LastName,
        }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string text, out Token token)
    {
        token = new Token("", 0, 0, "", "");
        try
        {
            var b64 = text.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
            token = new Token((string?)node?["id"] ?? "", (long?)node?["rv"] ?? 0, (int?)node?["offset"] ?? 0, (string?)node?["ns"] ?? "", (string?)node?["name"] ?? "");
            return token.Id.Length > 0;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
