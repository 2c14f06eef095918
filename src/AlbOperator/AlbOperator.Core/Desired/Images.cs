namespace AlbOperator.Core.Desired;

/// <summary>Image references.</summary>
public static class Images
{
    /// <summary>
    /// The same registry, path and tag with another last path segment: <c>reg:5000/edge/alb:1.2</c> →
    /// <c>reg:5000/edge/vipd:1.2</c>. Null for a digest reference (a digest names one image, not its sibling).
    /// </summary>
    public static string? Sibling(string image, string name)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return null;
        }

        var slash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', slash + 1);
        var tag = colon < 0 ? "" : image[colon..];
        return image[..(slash + 1)] + name + tag;
    }
}
