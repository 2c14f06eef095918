using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlbOperator.Core.Reconcile;

/// <summary>
/// Whether an object as stored still holds what the operator applied: every member of the desired JSON must be in
/// the stored JSON with the same value (the API server adds defaults and status, which are not drift). Compared:
/// everything but <c>apiVersion</c>, <c>kind</c>, <c>status</c> and, in <c>metadata</c>, all but <c>labels</c>,
/// <c>annotations</c> and <c>ownerReferences</c> (matched by <c>uid</c>). Lists must have the same length and match
/// item by item; an empty desired list or map matches an absent one (the API server drops empty members).
/// The edge.io/desired-hash annotation says what was applied; this says whether someone changed it since.
/// </summary>
public static class Drift
{
    private const int MaxDifferences = 8;

    /// <summary>The paths where <paramref name="observed"/> lacks or changed something of <paramref name="desired"/> (at most 8).</summary>
    public static IReadOnlyList<string> Differences(JsonNode desired, JsonNode observed)
    {
        var found = new List<string>();
        if (desired is not JsonObject want || observed is not JsonObject have)
        {
            found.Add("(the object)");
            return found;
        }

        foreach (var (name, value) in want)
        {
            if (name is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (name == "metadata")
            {
                var wantMeta = value as JsonObject;
                var haveMeta = have["metadata"] as JsonObject;
                Compare(wantMeta?["labels"], haveMeta?["labels"], "metadata.labels", found);
                Compare(wantMeta?["annotations"], haveMeta?["annotations"], "metadata.annotations", found);
                Owners(wantMeta?["ownerReferences"], haveMeta?["ownerReferences"], found);
                continue;
            }

            Compare(value, have[name], name, found);
        }

        return found;
    }

    public static bool Matches(JsonNode desired, JsonNode observed) => Differences(desired, observed).Count == 0;

    private static void Compare(JsonNode? want, JsonNode? have, string path, List<string> found)
    {
        if (found.Count >= MaxDifferences || want is null)
        {
            return;
        }

        switch (want)
        {
            case JsonObject wantObject:
                if (have is not JsonObject haveObject)
                {
                    if (wantObject.Count > 0 || have is not null)
                    {
                        found.Add(path);
                    }

                    return;
                }

                foreach (var (name, value) in wantObject)
                {
                    Compare(value, haveObject[name], $"{path}.{name}", found);
                }

                return;
            case JsonArray wantArray:
                if (have is not JsonArray haveArray)
                {
                    if (wantArray.Count > 0 || have is not null)
                    {
                        found.Add(path);
                    }

                    return;
                }

                if (wantArray.Count != haveArray.Count)
                {
                    found.Add(path);
                    return;
                }

                for (var i = 0; i < wantArray.Count; i++)
                {
                    Compare(wantArray[i], haveArray[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", found);
                }

                return;
            default:
                if (!SameValue(want.AsValue(), have as JsonValue))
                {
                    found.Add(path);
                }

                return;
        }
    }

    /// <summary>Owner references are a set keyed by uid: others may add theirs.</summary>
    private static void Owners(JsonNode? want, JsonNode? have, List<string> found)
    {
        if (want is not JsonArray wanted)
        {
            return;
        }

        var present = (have as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var owner in wanted.OfType<JsonObject>())
        {
            var uid = (string?)owner["uid"];
            var match = present.FirstOrDefault(o => (string?)o["uid"] == uid);
            if (match is null)
            {
                found.Add($"metadata.ownerReferences[uid={uid}]");
                continue;
            }

            Compare(owner, match, $"metadata.ownerReferences[uid={uid}]", found);
        }
    }

    private static bool SameValue(JsonValue want, JsonValue? have)
    {
        if (have is null)
        {
            return false;
        }

        var (wantKind, haveKind) = (want.GetValueKind(), have.GetValueKind());
        if (wantKind == JsonValueKind.Number && haveKind == JsonValueKind.Number)
        {
            return decimal.TryParse(want.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                && decimal.TryParse(have.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
                ? a == b
                : want.ToJsonString() == have.ToJsonString();
        }

        return wantKind == haveKind && JsonNode.DeepEquals(want, have);
    }
}
