using System.Text;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Fixtures;

/// <summary>An alb with its own loops against one without (ALB_FAST_H1=0): the same request, the same answer.</summary>
internal static class AnswerParity
{
    /// <summary>Sends <paramref name="request"/> to both albs; the answers' status, fields (but Date) and body (unless <paramref name="sameBody"/> is false) are equal.</summary>
    internal static async Task<(int Status, List<string> Fields, string Body)> AssertSameAnswersAsync(AlbInstance loopAlb, AlbInstance generalAlb, string request, bool sameBody = true)
    {
        var loop = Normalised(await RawHttp.SendAsync(loopAlb.HttpPort, request), loopAlb.HttpPort, loopAlb.HttpsPort);
        var general = Normalised(await RawHttp.SendAsync(generalAlb.HttpPort, request), generalAlb.HttpPort, generalAlb.HttpsPort);
        Assert.Equal(general.Status, loop.Status);
        Assert.Equal(general.Fields, loop.Fields);
        Assert.Equal(general.Body.Length > 0, loop.Body.Length > 0);
        if (sameBody)
        {
            Assert.Equal(general.Body, loop.Body);
        }

        return loop;
    }

    /// <summary>Status, the fields but Date (lower-case names, sorted), and the body de-chunked, with alb's ports made "PORT" and "TLSPORT".</summary>
    internal static (int Status, List<string> Fields, string Body) Normalised(string answer, int port, int tlsPort = 0)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = answer[..end].Split("\r\n");
        var fields = lines.Skip(1).Select(l => l.Split(':', 2)).Where(f => !f[0].Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(f => $"{f[0].ToLowerInvariant()}: {f[1].Trim()}").Order(StringComparer.Ordinal).ToList();
        var body = answer[(end + 4)..];
        if (fields.Contains("transfer-encoding: chunked"))
        {
            var text = new StringBuilder();
            while (body.Length > 0)
            {
                var lineEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
                var size = Convert.ToInt32(body[..lineEnd], 16);
                text.Append(body.AsSpan(lineEnd + 2, size));
                body = body[(lineEnd + 2 + size + 2)..];
                if (size == 0)
                {
                    break;
                }
            }

            body = text.ToString();
        }

        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tlsText = tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        fields = [.. fields.Select(f => f.Replace(portText, "PORT", StringComparison.Ordinal).Replace(tlsText, "TLSPORT", StringComparison.Ordinal))];
        body = body.Replace(portText, "PORT", StringComparison.Ordinal);

        fields.RemoveAll(f => f.StartsWith("content-length:", StringComparison.Ordinal) && body.Contains("PORT", StringComparison.Ordinal));
        return (RawHttp.Status(answer), fields, body);
    }
}
