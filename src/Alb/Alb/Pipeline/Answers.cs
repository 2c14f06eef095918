namespace Alb.Pipeline;

/// <summary>The answers alb writes itself, with nginx's status texts as plain-text bodies (none for HEAD).</summary>
internal static class Answers
{
    private static readonly byte[] NotFound = "404 Not Found\n"u8.ToArray();
    private static readonly byte[] Unauthorized = "401 Authorization Required\n"u8.ToArray();
    private static readonly byte[] Forbidden = "403 Forbidden\n"u8.ToArray();
    private static readonly byte[] Misdirected = "421 Misdirected Request\n"u8.ToArray();
    private static readonly byte[] TooLarge = "413 Request Entity Too Large\n"u8.ToArray();
    private static readonly byte[] TooMany = "429 Too Many Requests\n"u8.ToArray();
    private static readonly byte[] Found = "302 Found\n"u8.ToArray();
    private static readonly byte[] InternalError = "500 Internal Server Error\n"u8.ToArray();
    private static readonly byte[] Unavailable = "503 Service Temporarily Unavailable\n"u8.ToArray();

    public static Task WriteStatusAsync(HttpContext context, int status) => WriteBodyAsync(context, status, BodyFor(status));

    /// <summary>The plain-text body of alb's own answer with <paramref name="status"/> (the loop writes the same).</summary>
    public static byte[] BodyFor(int status) => status switch
    {
        404 => NotFound,
        401 => Unauthorized,
        403 => Forbidden,
        413 => TooLarge,
        421 => Misdirected,
        429 => TooMany,
        302 => Found,
        500 => InternalError,
        503 => Unavailable,
        _ => System.Text.Encoding.ASCII.GetBytes($"{status}\n"),
    };

    /// <summary>A status with a plain-text body of alb's choosing (none for HEAD).</summary>
    public static Task WriteBodyAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>A redirect with an empty body.</summary>
    public static void Redirect(HttpContext context, int status, string location)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        context.Response.ContentLength = 0;
    }
}
