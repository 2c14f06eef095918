using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Edge.Hosting;

/// <summary>One line per event on stderr (stdout is left to data such as access logs); framework chatter at Warning.</summary>
public static class EdgeLogging
{
    public static void Configure(ILoggingBuilder logging, string ownNamespace, LogLevel level)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
            o.IncludeScopes = false;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter(ownNamespace, level);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The commands report a listener that cannot bind in one line of their own; the host's copy ("Hosting failed to
        // start", Error) is a stack trace. A background service that throws is still logged (Critical, with the error).
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddFilter("Yarp", LogLevel.Error); // forwarding errors are logged once, by the caller, with the backend named
    }

    public static LogLevel Parse(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };
}
