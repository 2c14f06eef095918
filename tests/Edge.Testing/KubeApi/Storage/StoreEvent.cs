using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// One committed write: ADDED, MODIFIED or DELETED, the object as stored (never mutated afterwards) and its state
/// before, so a watch with a selector can tell an object entering or leaving it.
/// </summary>
internal sealed record StoreEvent(string Type, long ResourceVersion, string Group, string Plural, JsonObject Object, JsonObject? Previous);
