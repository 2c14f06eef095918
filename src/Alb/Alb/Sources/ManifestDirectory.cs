using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Manifests;
using Alb.Core.Snapshot;

namespace Alb.Sources;

/// <summary>
/// Reads a manifest directory into a snapshot. Keeps each file's last good parse: a file that stops parsing keeps
/// serving its previous objects (with a diagnostic) while the rest of the directory applies. Not thread-safe: one
/// reader (the config loop) uses it.
/// </summary>
internal sealed class ManifestDirectory(string root)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    private readonly Dictionary<string, (string Text, ManifestFile Parsed)> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestFile> _lastGood = new(StringComparer.Ordinal);

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Files that count, as (relative path, length, mtime): a cheap way to notice a change the watcher missed.</summary>
    public IReadOnlyList<(string Path, long Length, DateTime Modified)> Stat() =>
        [.. EnumerateFiles().Select(f => { var info = new FileInfo(f); return (f, info.Exists ? info.Length : -1, info.Exists ? info.LastWriteTimeUtc : default); })];

    public (ClusterSnapshot Snapshot, ImmutableArray<Diagnostic> Diagnostics) Load()
    {
        var files = new List<ManifestFile>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in EnumerateFiles())
        {
            var relative = Path.GetRelativePath(Root, path);
            present.Add(relative);
            files.Add(LoadFile(path, relative));
        }

        foreach (var gone in _current.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _current.Remove(gone);
            _lastGood.Remove(gone);
        }

        return SnapshotBuilder.Build(files);
    }

    private ManifestFile LoadFile(string path, string relative)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > ManifestParser.MaxFileBytes)
            {
                return KeepLastGood(relative, Codes.ParseError.At(relative, null, $"file is {info.Length} bytes; the limit is {ManifestParser.MaxFileBytes}"));
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return KeepLastGood(relative, Codes.ParseError.At(relative, null, $"cannot be read: {e.Message}"));
        }

        if (_current.TryGetValue(relative, out var cached) && cached.Text == text)
        {
            return cached.Parsed;
        }

        var parsed = ManifestParser.Parse(relative, text);
        if (parsed.Failed && _lastGood.TryGetValue(relative, out var good))
        {
            parsed = parsed with { Objects = good.Objects };
        }
        else if (!parsed.Failed)
        {
            _lastGood[relative] = parsed;
        }

        _current[relative] = (text, parsed);
        return parsed;
    }

    private ManifestFile KeepLastGood(string relative, Diagnostic problem) =>
        new(relative, _lastGood.TryGetValue(relative, out var good) ? good.Objects : [], [problem], Failed: true);

    private IEnumerable<string> EnumerateFiles()
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden, // editors' swap files; Kubernetes' ..data folders are reached by their symlinks
            MatchType = MatchType.Simple,
        };

        return Directory.EnumerateFiles(Root, "*", options)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !Path.GetRelativePath(Root, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
    }
}
