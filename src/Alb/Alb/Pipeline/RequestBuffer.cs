using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Alb.Pipeline;

/// <summary>
/// <c>proxy-request-buffering: on</c> (ingress-nginx's default): the whole body is read before the backend is
/// contacted, in memory up to <c>client-body-buffer-size</c>, then in a temp file that is deleted when the request
/// ends, never more than <c>proxy-body-size</c> (or <see cref="MaxBuffered"/> when that is unlimited). A slow, cut or
/// malformed upload never reaches a backend; the backend gets a Content-Length, as from nginx; a buffered body can be
/// sent again to another endpoint.
/// </summary>
internal static class RequestBuffer
{
    /// <summary>The most a buffered body may hold when proxy-body-size is 0 (unlimited): a disk is not unlimited.</summary>
    public const long MaxBuffered = 1L << 30;

    /// <summary>Reads the body; returns the status to answer when it could not be read (400, 408, 413), else 0.</summary>
    public static async ValueTask<int> ReadAsync(HttpContext context, int memory, long limit, int pauseMs)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return 0;
        }

        var bound = limit == 0 ? MaxBuffered : limit;
        if (request.ContentLength > bound)
        {
            return StatusCodes.Status413PayloadTooLarge;
        }

        var buffered = new FileBufferingReadStream(request.Body, memory, bound, Path.GetTempPath);
        context.Response.RegisterForDisposeAsync(buffered);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            // Read through: everything read is kept by the buffering stream. client-body-timeout bounds each pause.
            while (true)
            {
                pause.CancelAfter(pauseMs);
                if (await buffered.ReadAsync(chunk, pause.Token).ConfigureAwait(false) == 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return StatusCodes.Status408RequestTimeout; // client-body-timeout: nothing arrived for that long
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode; // a malformed chunk (400), a body over the limit (413), a body too slow (408)
        }
        catch (IOException) when (buffered.Length >= bound)
        {
            return StatusCodes.Status413PayloadTooLarge;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        // The client's headers stay as sent (the access log and metrics count them); the upstream request gets a
        // Content-Length from RouteTransformer.
        buffered.Position = 0;
        request.Body = buffered;
        return 0;
    }
}
