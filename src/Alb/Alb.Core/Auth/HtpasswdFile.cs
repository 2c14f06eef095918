namespace Alb.Core.Auth;

/// <summary>The users read from htpasswd data, and every entry that was not taken.</summary>
public sealed class HtpasswdFile
{
    internal HtpasswdFile(IReadOnlyDictionary<string, PasswordHash> users, IReadOnlyList<HtpasswdProblem> problems)
    {
        Users = users;
        Problems = problems;
    }

    /// <summary>User name (compared ordinally, as nginx does) to its hash.</summary>
    public IReadOnlyDictionary<string, PasswordHash> Users { get; }

    public IReadOnlyList<HtpasswdProblem> Problems { get; }
}
