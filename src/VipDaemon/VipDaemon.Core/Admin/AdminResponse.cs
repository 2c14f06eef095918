using System.Globalization;
using System.Text;

namespace VipDaemon.Core.Admin;

/// <summary>One admin response: status, content type and the whole body (all of them are small).</summary>
public sealed record AdminResponse(int Status, string ContentType, byte[] Body)
{
    public const string PlainText = "text/plain; charset=utf-8";

    public static AdminResponse Text(int status, string text) => new(status, PlainText, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// The response on the wire: status line, Content-Type, Content-Length, Connection: close (one request per
    /// connection), Allow on a 405; the body unless <paramref name="headOnly"/>.
    /// </summary>
    public byte[] Serialize(bool headOnly)
    {
        var head = new StringBuilder(160)
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason(Status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {Body.Length}\r\n");
        if (Status == 405)
        {
            head.Append("Allow: GET, HEAD\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return headOnly ? headBytes : [.. headBytes, .. Body];
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
