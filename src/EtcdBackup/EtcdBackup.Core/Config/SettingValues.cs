using System.Globalization;
using System.Net;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;
using EtcdBackup.Core.Scheduling;

namespace EtcdBackup.Core.Config;

/// <summary>Typed reads of the merged values; each failure is an error naming the value's source.</summary>
internal sealed class SettingValues(Dictionary<string, (string Value, string Source)> values, List<string> errors, Func<string, bool> fileExists)
{
    public string? Text(string path) => values.TryGetValue(path, out var v) && v.Value.Length > 0 ? v.Value : null;

    private string Source(string path) => values[path].Source;

    private void Error(string path, string message) => errors.Add($"{Source(path)}: {message}");

    public string? File(string path)
    {
        var file = Text(path);
        if (file is not null && !fileExists(file))
        {
            Error(path, $"file {file} does not exist");
        }

        return file;
    }

    public bool Switch(string path)
    {
        if (Text(path) is not { } text)
        {
            return false;
        }

        if (text is "true" or "false")
        {
            return text == "true";
        }

        Error(path, $"\"{text}\" is not true or false");
        return false;
    }

    public TimeSpan Duration(string path, TimeSpan fallback, TimeSpan min)
    {
        if (Text(path) is not { } text)
        {
            return fallback;
        }

        if (!Durations.TryParse(text, out var value) || value < min)
        {
            Error(path, $"\"{text}\" is not a duration of at least {min.TotalMilliseconds} ms (like 500ms, 30s, 5m, 2h)");
            return fallback;
        }

        return value;
    }

    public int Int(string path, int fallback, int min, int max)
    {
        if (Text(path) is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(path, $"\"{text}\" is not a whole number in {min}..{max}");
            return fallback;
        }

        return value;
    }

    public string OneOf(string path, string fallback, params string[] allowed)
    {
        if (Text(path) is not { } text)
        {
            return fallback;
        }

        if (!allowed.Contains(text))
        {
            Error(path, $"\"{text}\" is not one of {string.Join(", ", allowed)}");
            return fallback;
        }

        return text;
    }

    public IReadOnlyList<string> List(string path) =>
        Text(path) is { } text ? text.Split(SettingOption.RepeatSeparator) : [];

    public IReadOnlyList<Uri> Endpoints(string path, string? fallback)
    {
        if ((Text(path) ?? fallback) is not { } text)
        {
            return [];
        }

        var result = new List<Uri>();
        var before = errors.Count;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(item, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && uri.Query.Length == 0)
            {
                result.Add(uri);
            }
            else
            {
                Error(path, $"\"{item}\" is not an etcd client URL like https://10.0.0.1:2379");
            }
        }

        if (result.Count == 0 && errors.Count == before && values.ContainsKey(path))
        {
            Error(path, "no endpoint given");
        }

        return result;
    }

    public S3Location? S3()
    {
        if (Text("s3.url") is not { } url)
        {
            foreach (var path in values.Keys.Where(k => k.StartsWith("s3.", StringComparison.Ordinal)))
            {
                Error(path, "needs --s3-url");
            }

            return null;
        }

        string bucket = "", prefix = "";
        if (!url.StartsWith("s3://", StringComparison.Ordinal) || url.Length == 5)
        {
            Error("s3.url", $"\"{url}\" is not s3://BUCKET/PREFIX");
        }
        else
        {
            var rest = url[5..].TrimEnd('/');
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            (bucket, prefix) = slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
            if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                Error("s3.url", $"\"{bucket}\" is not an S3 bucket name (3-63 of a-z 0-9 . -)");
            }
        }

        Uri? endpoint = null;
        if (Text("s3.endpoint") is { } ep && !(Uri.TryCreate(ep, UriKind.Absolute, out endpoint) && endpoint.Scheme is "http" or "https"))
        {
            Error("s3.endpoint", $"\"{ep}\" is not an http(s) URL");
        }

        var sse = Text("s3.sse") is null ? null : OneOf("s3.sse", "", "AES256", "aws:kms");
        var kms = Text("s3.kmsKeyId");
        if (kms is not null && sse != "aws:kms")
        {
            Error("s3.kmsKeyId", "only applies with --s3-sse aws:kms");
        }

        return new S3Location(bucket, prefix, endpoint, Text("s3.region") ?? "", sse, kms,
            Int("s3.partSizeMiB", 16, 5, 512), Int("s3.concurrency", 4, 1, 16));
    }

    public string Prefix()
    {
        var prefix = Text("namePrefix") ?? "etcd";
        if (!SnapshotName.IsValidPrefix(prefix))
        {
            Error("namePrefix", $"\"{prefix}\" must be 1-64 of A-Z a-z 0-9 - _");
            return "etcd";
        }

        return prefix;
    }

    public CronSchedule? Schedule()
    {
        var text = Text("schedule") ?? "@hourly";
        if (CronSchedule.TryParse(text, out var schedule, out var error))
        {
            return schedule;
        }

        Error("schedule", error);
        return null;
    }

    public RetentionPolicy Retention()
    {
        var policy = new RetentionPolicy(
            Int("retention.keepLast", 7, 1, RetentionPolicy.MaxCount),
            Int("retention.hourly", 0, 0, RetentionPolicy.MaxCount),
            Int("retention.daily", 0, 0, RetentionPolicy.MaxCount),
            Int("retention.weekly", 0, 0, RetentionPolicy.MaxCount),
            Int("retention.monthly", 0, 0, RetentionPolicy.MaxCount),
            Duration("retention.incompleteGrace", TimeSpan.Zero, TimeSpan.Zero));
        return policy;
    }

    public IPEndPoint Endpoint(string path, IPEndPoint fallback)
    {
        if (Text(path) is not { } text)
        {
            return fallback;
        }

        if (IPEndPoint.TryParse(text, out var ep) && ep.Port != 0)
        {
            return ep;
        }

        Error(path, $"\"{text}\" is not ADDRESS:PORT");
        return fallback;
    }
}
