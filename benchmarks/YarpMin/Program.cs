using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;

// The ceiling of any Kestrel + YARP design: one catch-all route, one destination, YARP's defaults.
// usage: yarp-min HTTP_PORT HTTPS_PORT CERT.pem KEY.pem DESTINATION_URL
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: yarp-min HTTP_PORT HTTPS_PORT CERT.pem KEY.pem DESTINATION_URL");
    return 2;
}

var certificate = X509CertificateLoader.LoadPkcs12(
    X509Certificate2.CreateFromPemFile(args[2], args[3]).Export(X509ContentType.Pkcs12), null);
var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture), o => o.Protocols = HttpProtocols.Http1);
    k.Listen(IPAddress.Loopback, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), o =>
    {
        o.Protocols = HttpProtocols.Http1AndHttp2;
        o.UseHttps(certificate);
    });
});
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "origin", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "origin", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = args[4] } } }]);
var app = builder.Build();
app.MapReverseProxy();
Console.WriteLine($"yarp-min GC server={System.Runtime.GCSettings.IsServerGC}");
await app.RunAsync();
return 0;
