using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Alb.Cli;

/// <summary>
/// Kestrel's socket transport knobs, read from the environment at start, none set by default (issue 15 measured them;
/// docs/alb.md#transport-tuning): <c>ALB_INLINE_SCHEDULING=1</c> runs the request on the socket's I/O thread
/// (Kestrel's <c>UnsafePreferInlineScheduling</c>: fewer thread hops, but a request that blocks holds that thread's
/// every connection); <c>ALB_IO_QUEUES=N</c> sets how many I/O queues the transport schedules on (0: the thread pool);
/// <c>ALB_WAIT_FOR_DATA=0</c> has Kestrel read into a buffer at once instead of first waiting for data with an empty
/// read (one system call fewer per read, a buffer held by every idle connection). A value outside those is an error
/// at start that names the variable.
/// </summary>
internal static class TransportTuning
{
    public const string InlineScheduling = "ALB_INLINE_SCHEDULING";
    public const string IoQueues = "ALB_IO_QUEUES";
    public const string WaitForData = "ALB_WAIT_FOR_DATA";

    /// <summary>The settings the environment asks for; throws <see cref="CommandLineException"/> on a bad value.</summary>
    public static Action<SocketTransportOptions> From(Func<string, string?> environment)
    {
        var inline = environment(InlineScheduling) switch
        {
            null or "" or "0" => false,
            "1" => true,
            var other => throw new CommandLineException($"{InlineScheduling}={other}: must be 0 or 1"),
        };
        var waitForData = environment(WaitForData) switch
        {
            null or "" or "1" => true,
            "0" => false,
            var other => throw new CommandLineException($"{WaitForData}={other}: must be 0 or 1"),
        };
        int? queues = environment(IoQueues) switch
        {
            null or "" => null,
            var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 64 => n,
            var other => throw new CommandLineException($"{IoQueues}={other}: must be a whole number from 0 to 64"),
        };
        return sockets =>
        {
            sockets.UnsafePreferInlineScheduling = inline;
            sockets.WaitForDataBeforeAllocatingBuffer = waitForData;
            if (queues is { } n)
            {
                sockets.IOQueueCount = n;
            }
        };
    }
}
