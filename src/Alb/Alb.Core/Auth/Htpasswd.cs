using System.Collections.ObjectModel;
using System.Text;

namespace Alb.Core.Auth;

/// <summary>
/// htpasswd data as ingress-nginx's <c>auth-type: basic</c> takes it from a Secret: <c>auth-file</c> text
/// (<see cref="Parse"/>) or an <c>auth-map</c> of user to hash (<see cref="FromMap"/>). As nginx scans the file
/// in order, the first entry of a user wins, even one whose hash is refused (that user is then denied).
/// </summary>
public static class Htpasswd
{
    /// <summary>Lines (of a file) or entries (of a map) read at most.</summary>
    public const int MaxLines = 10_000;

    /// <summary>UTF-8 bytes of a file read at most.</summary>
    public const int MaxBytes = 1024 * 1024;
    private const int MaxShownUser = 64;

    /// <summary>
    /// Lines <c>user:hash</c> or <c>user:hash:comment</c>, ended by <c>\n</c> or <c>\r\n</c>; blank lines and
    /// lines starting with <c>#</c> are skipped. Reading stops at line <see cref="MaxLines"/> or
    /// <see cref="MaxBytes"/> of UTF-8, with a problem saying so.
    /// </summary>
    public static HtpasswdFile Parse(string content)
    {
        var reader = new Reader();
        var rest = content.AsSpan();
        var bytes = 0L;
        for (var number = 1; !rest.IsEmpty; number++)
        {
            var newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? default : rest[(newline + 1)..];
            bytes += Encoding.UTF8.GetByteCount(line) + (newline < 0 ? 0 : 1);
            if (number > MaxLines || bytes > MaxBytes)
            {
                var bound = number > MaxLines ? $"more than {MaxLines} lines" : "more than 1 MiB";
                reader.Problems.Add(new HtpasswdProblem(number, "", $"the htpasswd data has {bound}; this line and the ones after it are ignored"));
                break;
            }

            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (line.IsWhiteSpace() || line[0] == '#')
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                reader.Problems.Add(new HtpasswdProblem(number, "", "the line has no ':' between user and hash"));
                continue;
            }

            var hash = line[(colon + 1)..];
            var end = hash.IndexOf(':');
            reader.Add(number, line[..colon].ToString(), end < 0 ? hash : hash[..end]);
        }

        return reader.Result();
    }

    /// <summary>
    /// ingress-nginx's <c>auth-map</c> Secret: each key a user, each value its hash (one trailing line break
    /// allowed). Entries are read in ordinal order of user, at most <see cref="MaxLines"/> of them.
    /// </summary>
    public static HtpasswdFile FromMap(IReadOnlyDictionary<string, string> userToHash)
    {
        var reader = new Reader();
        var count = 0;
        foreach (var user in userToHash.Keys.Order(StringComparer.Ordinal))
        {
            if (++count > MaxLines)
            {
                reader.Problems.Add(new HtpasswdProblem(0, "", $"the auth-map has more than {MaxLines} entries; the ones after the first {MaxLines} (in ordinal order of user) are ignored"));
                break;
            }

            var hash = userToHash[user].AsSpan();
            hash = hash.EndsWith("\r\n") ? hash[..^2] : hash.EndsWith('\n') ? hash[..^1] : hash;
            if (user.Contains(':', StringComparison.Ordinal))
            {
                reader.Problems.Add(new HtpasswdProblem(0, Shown(user), "the user name contains ':'"));
                continue;
            }

            if (hash.ContainsAny('\r', '\n'))
            {
                reader.Problems.Add(new HtpasswdProblem(0, Shown(user), "the hash contains a line break"));
                continue;
            }

            reader.Add(0, user, hash);
        }

        return reader.Result();
    }

    private static string Shown(string user)
    {
        var shown = user.Length > MaxShownUser ? user[..MaxShownUser] + "..." : user;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    private sealed class Reader
    {
        private readonly Dictionary<string, PasswordHash> _users = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _firstLine = new(StringComparer.Ordinal);

        public List<HtpasswdProblem> Problems { get; } = [];

        public void Add(int line, string user, ReadOnlySpan<char> hash)
        {
            if (user.Length == 0)
            {
                Problems.Add(new HtpasswdProblem(line, "", "the user name is empty"));
                return;
            }

            if (user.Any(char.IsControl))
            {
                Problems.Add(new HtpasswdProblem(line, Shown(user), "the user name contains control characters"));
                return;
            }

            if (!_firstLine.TryAdd(user, line))
            {
                var first = _firstLine[user];
                Problems.Add(new HtpasswdProblem(line, Shown(user), first > 0 ? $"duplicate user; the entry on line {first} is used" : "duplicate user; the first entry is used"));
                return;
            }

            if (hash.Length > 0 && (char.IsWhiteSpace(hash[0]) || char.IsWhiteSpace(hash[^1])))
            {
                Problems.Add(new HtpasswdProblem(line, Shown(user), "the hash has leading or trailing whitespace"));
                return;
            }

            if (!PasswordHash.TryParse(hash.ToString(), out var parsed, out var error))
            {
                Problems.Add(new HtpasswdProblem(line, Shown(user), error));
                return;
            }

            _users.Add(user, parsed);
        }

        public HtpasswdFile Result() => new(new ReadOnlyDictionary<string, PasswordHash>(_users), Problems.AsReadOnly());
    }
}
