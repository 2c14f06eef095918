namespace Alb.Proxy.Lean;

/// <summary>
/// Response field names the lean client meets often, spelled as HttpClient spells known headers (so the client sees
/// what the YARP path sends), and YARP's hop-by-hop names, which are not copied. A name found here costs no string.
/// </summary>
internal static class ResponseFields
{
    public const int ContentLength = 0;
    public const int Date = 1;
    public const int Server = 2;
    private const int FirstSkipped = 17;

    public static readonly string[] Names =
    [
        "Content-Length", "Date", "Server", "Content-Type", "Last-Modified", "ETag", "Accept-Ranges", "Cache-Control", "Expires",
        "Vary", "Location", "Set-Cookie", "Content-Encoding", "Age", "Pragma", "Content-Range", "Access-Control-Allow-Origin",
        // FirstSkipped: YARP's hop-by-hop list
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authentication-Info",
        "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme", "ALPN", "Close", "TE", "Alt-Svc",
    ];

    private static readonly AsciiNames Known = new(Names);

    public static int Count => Names.Length;

    /// <summary>The index of <paramref name="name"/> (any case), or -1.</summary>
    public static int Find(ReadOnlySpan<byte> name) => Known.IndexOf(name);

    public static bool Skipped(int index) => index >= FirstSkipped;
}
