using System.Buffers;
using System.Text;
using Alb.Core.Policies;
using Alb.Proxy;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>The request head the backend gets from the loop, as the general path's lean client writes it.</summary>
internal sealed partial class FrontEndLoop
{
    /// <summary>The client's fields the backend's head never carries as sent (hop-by-hop, those alb sets, the client-certificate ones).</summary>
    private static readonly AsciiNames Replaced = new(Proxy.Lean.RequestHead.Replaced.Concat(ClientCertHeaders.All));

    /// <summary>
    /// The head the general path's lean client writes: the request line with the normalised path (or rewrite-target's),
    /// Host (or upstream-vhost), the client's fields but hop-by-hop ones and those alb sets, X-Forwarded-Prefix after
    /// a rewrite, JWT's claims-to-headers (the client's copies of those names dropped; after basic auth no
    /// Authorization), then X-Original-Forwarded-For, X-Forwarded-*, X-Real-IP and X-Request-ID. A field the client
    /// repeated goes on as sent (one line each), but Cookie: several Cookie lines become one, joined with "; " where
    /// the first was (as the lean client and nginx join them: a backend that reads one Cookie line sees them all).
    /// </summary>
    private static void WriteUpstreamHead(LoopClient client, LoopRoute route, string path, bool rewritten, string query, string host, int bodyLength)
    {
        var buffer = client.In;
        var head = client.Head;
        var transforms = route.Transforms;
        var prefix = rewritten ? transforms.ForwardedPrefix : null;
        var forwarded = client.Forwarded;
        var requestHost = forwarded?.Host ?? host; // as the general path: what a trusted proxy saw
        var writer = new HeadBuilder(ArrayPool<byte>.Shared.Rent(2048));
        writer.Bytes(buffer.AsSpan(0, head.MethodLength));
        writer.Ascii(" ");
        writer.Ascii(path);
        writer.Ascii(query);
        writer.Ascii(" HTTP/1.1\r\nHost: ");
        writer.Ascii(transforms.Host ?? requestHost);
        writer.Ascii("\r\n");

        var forwardedForName = route.Forwarding.ForwardedForHeader;
        var forwardedFor = -1;
        var forwardedForCount = 0;
        var cookies = false;
        var fields = head.Headers;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            var name = buffer.AsSpan(field.NameStart, field.NameLength);
            if (Ascii.EqualsIgnoreCase(name, forwardedForName))
            {
                forwardedFor = forwardedForCount++ == 0 ? i : forwardedFor;
            }

            if (Replaced.Contains(name) || (prefix is not null && Ascii.EqualsIgnoreCase(name, "X-Forwarded-Prefix"u8))
                || (transforms.DropsAuthorization && Ascii.EqualsIgnoreCase(name, "Authorization"u8)) || transforms.AuthHeaders?.Removes(name) == true)
            {
                continue; // basic auth's credentials stay at the edge; a client's copy of an auth-set header never passes
            }

            if (Ascii.EqualsIgnoreCase(name, "Cookie"u8))
            {
                if (!cookies)
                {
                    cookies = true;
                    WriteCookies(ref writer, buffer, fields, i);
                }

                continue;
            }

            writer.Bytes(buffer.AsSpan(field.NameStart, field.NameLength));
            writer.Ascii(": ");
            writer.Bytes(buffer.AsSpan(field.ValueStart, field.ValueLength));
            writer.Ascii("\r\n");
        }

        if (prefix is not null)
        {
            writer.Ascii("X-Forwarded-Prefix: ");
            writer.Ascii(prefix);
            writer.Ascii("\r\n");
        }

        foreach (var (name, value) in Auth.AuthHeaderNames.Values(null, client.Claims))
        {
            writer.Ascii(name);
            writer.Ascii(": ");
            writer.Ascii(value);
            writer.Ascii("\r\n");
        }

        if (forwardedFor >= 0)
        {
            // As the general path: every copy of the field, joined with commas.
            writer.Ascii("X-Original-Forwarded-For: ");
            var first = true;
            for (var i = forwardedFor; i < fields.Length; i++)
            {
                var field = fields[i];
                if (Ascii.EqualsIgnoreCase(buffer.AsSpan(field.NameStart, field.NameLength), forwardedForName))
                {
                    if (!first)
                    {
                        writer.Ascii(",");
                    }

                    writer.Bytes(buffer.AsSpan(field.ValueStart, field.ValueLength));
                    first = false;
                }
            }

            writer.Ascii("\r\n");
        }

        var address = client.RequestAddress;
        writer.Ascii("X-Forwarded-For: ");
        if (client.ForwardedFor is { } chain)
        {
            writer.Ascii(chain);
        }
        else
        {
            writer.Address(address);
        }

        writer.Ascii("\r\nX-Real-IP: ");
        writer.Address(address);
        var scheme = forwarded?.Scheme ?? (client.Https ? "https" : "http");
        writer.Ascii("\r\nX-Forwarded-Proto: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Forwarded-Scheme: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Scheme: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Forwarded-Host: ");
        writer.Ascii(requestHost);
        writer.Ascii("\r\nX-Forwarded-Port: ");
        if (forwarded?.Port is { } port)
        {
            writer.Ascii(port);
        }
        else
        {
            writer.Number(client.LocalPort);
        }

        writer.Ascii("\r\nX-Request-ID: ");
        writer.Ascii(client.RequestId);
        writer.Ascii("\r\n\r\n");
        writer.Bytes(buffer.AsSpan(head.Length, bodyLength)); // the body, whole (its Content-Length field went on as sent)
        client.UpRequest = writer.Buffer;
        client.UpRequestLength = writer.Length;
    }

    /// <summary>The Cookie line at <paramref name="first"/> with the values of every later one, joined with "; ".</summary>
    private static void WriteCookies(ref HeadBuilder writer, byte[] buffer, ReadOnlySpan<Alb.Core.Http1.HeaderRange> fields, int first)
    {
        writer.Bytes(buffer.AsSpan(fields[first].NameStart, fields[first].NameLength));
        writer.Ascii(": ");
        writer.Bytes(buffer.AsSpan(fields[first].ValueStart, fields[first].ValueLength));
        for (var j = first + 1; j < fields.Length; j++)
        {
            if (Ascii.EqualsIgnoreCase(buffer.AsSpan(fields[j].NameStart, fields[j].NameLength), "Cookie"u8))
            {
                writer.Ascii("; ");
                writer.Bytes(buffer.AsSpan(fields[j].ValueStart, fields[j].ValueLength));
            }
        }

        writer.Ascii("\r\n");
    }

    private System.Net.IPEndPoint? AddressOf(EndpointState endpoint)
    {
        if (!_addresses.TryGetValue(endpoint, out var address))
        {
            address = System.Net.IPEndPoint.TryParse(endpoint.Authority, out var parsed) && parsed.Port != 0 ? parsed : null;
            if (_addresses.Count > 10_000)
            {
                _addresses.Clear(); // endpoints of older tables: parsed again when met
            }

            _addresses[endpoint] = address;
        }

        return address;
    }
}
