using System.Net;
using System.Text.Json;

// A tiny origin for the quick start: each ADDR:PORT=NAME argument opens a listener that answers every request
// with JSON naming itself and echoing what the proxy sent (method, host, path, X-Forwarded-* headers).
var listeners = new List<(IPEndPoint Endpoint, string Name)>();
foreach (var arg in args)
{
    var eq = arg.IndexOf('=', StringComparison.Ordinal);
    if (eq < 0 || !IPEndPoint.TryParse(arg[..eq], out var endpoint))
    {
        Console.Error.WriteLine($"echo-origin: \"{arg}\" is not ADDR:PORT=NAME");
        return 2;
    }

    listeners.Add((endpoint, arg[(eq + 1)..]));
}

if (listeners.Count == 0)
{
    Console.Error.WriteLine("usage: echo-origin ADDR:PORT=NAME...");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    foreach (var (endpoint, _) in listeners)
    {
        k.Listen(endpoint);
    }
});
var app = builder.Build();
var names = listeners.ToDictionary(l => l.Endpoint.Port, l => l.Name);
string[] echoed = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Real-IP", "X-Request-ID"];
app.Run(context => context.Response.WriteAsync(JsonSerializer.Serialize(new
{
    origin = names.GetValueOrDefault(context.Connection.LocalPort, "?"),
    method = context.Request.Method,
    host = context.Request.Host.Value,
    path = context.Request.Path.Value + context.Request.QueryString.Value,
    headers = echoed.Where(h => context.Request.Headers.ContainsKey(h)).ToDictionary(h => h, h => context.Request.Headers[h].ToString()),
}) + "\n"));
await app.RunAsync();
return 0;
