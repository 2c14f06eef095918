namespace Alb.Core.Auth;

/// <summary>The password hash formats that basic auth accepts.</summary>
public enum PasswordHashKind
{
    /// <summary>bcrypt: <c>$2y$</c>, <c>$2a$</c> or <c>$2b$</c> (<c>htpasswd -B</c>).</summary>
    Bcrypt,

    /// <summary>Apache's MD5: <c>$apr1$salt$hash</c> (<c>htpasswd -m</c>, its default).</summary>
    AprMd5,

    /// <summary>MD5-crypt: <c>$1$salt$hash</c> (<c>openssl passwd -1</c>); the same algorithm as apr1.</summary>
    Md5Crypt,

    /// <summary><c>{SHA}</c> and base64 of the unsalted SHA-1 (<c>htpasswd -s</c>).</summary>
    Sha1,

    /// <summary><c>{SSHA}</c> and base64 of SHA-1(password + salt) followed by the salt.</summary>
    SaltedSha1,

    /// <summary>SHA-256-crypt: <c>$5$[rounds=N$]salt$hash</c>.</summary>
    Sha256Crypt,

    /// <summary>SHA-512-crypt: <c>$6$[rounds=N$]salt$hash</c>.</summary>
    Sha512Crypt,
}
