using System.Text;
using Alb.Pipeline;
using Microsoft.AspNetCore.WebUtilities;

namespace Alb.Fast;

/// <summary>The route's steps on the loop (docs/performance.md, step 5), alb's own answers, and who the client is (forwarded headers, the request id).</summary>
internal sealed partial class FrontEndLoop
{
    private const int MaxRequestIdLength = 128;
    private readonly Random _random = new();

    /// <summary>
    /// The request's client as the general path's <see cref="ClientIdentity"/> makes it (use-forwarded-headers,
    /// enable-real-ip): from a trusted peer, the forwarded-for chain walked, and X-Forwarded-Proto, -Host and -Port
    /// taken. False when a forwarded value holds what the lean client would not write (the general path forwards it).
    /// </summary>
    private static bool Identify(LoopClient client, ClientIdentity identity, bool fullChain)
    {
        client.NamedClient = null;
        client.Forwarded = null;
        client.ForwardedFor = null;
        if (client.Address is not { } peer || !identity.Trusts(peer))
        {
            return true;
        }

        var chain = FieldValues(client, identity.HeaderBytes);
        client.NamedClient = chain.Count > 0 ? identity.Walk(chain) : null;

        if (!identity.ForwardedHeaders)
        {
            return true;
        }

        var forwarded = ClientIdentity.ForwardedBy(peer, FieldValues(client, "X-Forwarded-Proto"u8), FieldValues(client, "X-Forwarded-Host"u8), FieldValues(client, "X-Forwarded-Port"u8));
        client.Forwarded = forwarded;
        if (fullChain)
        {
            // compute-full-forwarded-for: the X-Forwarded-For the peer sent, then the peer.
            var sent = FieldValues(client, "X-Forwarded-For"u8);
            client.ForwardedFor = sent.Count > 0 ? $"{sent}, {peer}" : peer.ToString();
        }

        return PlainValue(forwarded.Scheme) && PlainValue(forwarded.Host) && PlainValue(forwarded.Port) && PlainValue(client.ForwardedFor);

        static bool PlainValue(string? value) => value is null || !value.AsSpan().ContainsAnyExceptInRange(' ', '~');
    }

    /// <summary>The values of the request's fields named <paramref name="name"/>, as the general path's header dictionary has them.</summary>
    private static Microsoft.Extensions.Primitives.StringValues FieldValues(LoopClient client, ReadOnlySpan<byte> name) => client.Values(name);

    /// <summary>
    /// An answer of alb's own, as the general path writes it: without a body when the backend failed (502, 504: none
    /// of alb's fields either); a refusal (403, 503) with its plain-text body (none for HEAD), Server and CORS fields;
    /// a redirect with its Location, Server and CORS fields and an empty body; a 401 with its challenge.
    /// </summary>
    private void AnswerStatus(LoopClient client, int status, byte[]? body = null, string? location = null, string? challenge = null)
    {
        client.Status = status;
        client.AnswerStarted = true;
        _outLength = 0;
        Append("HTTP/1.1 "u8);
        Number(status);
        Append(" "u8);
        Append(Encoding.ASCII.GetBytes(ReasonPhrases.GetReasonPhrase(status)));
        Append("\r\nContent-Length: "u8);
        Number(body?.Length ?? 0);
        Append("\r\n"u8);
        if (location is not null)
        {
            Append("Location: "u8);
            Latin1(location);
            Append("\r\n"u8);
        }
        else if (body is not null)
        {
            Append("Content-Type: text/plain; charset=utf-8\r\n"u8);
        }

        if (challenge is not null)
        {
            Append("WWW-Authenticate: "u8);
            Latin1(challenge);
            Append("\r\n"u8);
        }

        if (body is not null)
        {
            AppendAlbFields(client);
            AppendRouteFields(client);
        }

        AppendDate();
        AppendConnection(client);
        if (body is not null && !client.IsHead)
        {
            Append(body);
        }

        client.ResponseBytes = _outLength;
        Record(client); // before the bytes go: a client that has its answer finds it in the metrics
        if (Send(client, _out.AsSpan(0, _outLength)) != Sent.Gone)
        {
            EndAnswer(client, null, reusable: false);
        }
    }

    /// <summary>CORS's answer to a preflight (an OPTIONS from an allowed origin), as the general path's CorsStep writes it: 204, its fields, no body.</summary>
    private void Preflight(LoopClient client)
    {
        Consume(client);
        client.Status = 204;
        client.AnswerStarted = true;
        _outLength = 0;
        Append("HTTP/1.1 204 No Content\r\nContent-Type: text/plain charset=UTF-8\r\n"u8); // no Content-Length on a 204 (RFC 9110 §8.6), as Kestrel
        AppendAlbFields(client);
        AppendRouteFields(client);
        AppendDate();
        AppendConnection(client);
        client.ResponseBytes = _outLength;
        Record(client);
        if (Send(client, _out.AsSpan(0, _outLength)) != Sent.Gone)
        {
            EndAnswer(client, null, reusable: false);
        }
    }

    /// <summary>The route's CORS fields when the request's origin is allowed, and its custom-headers (replacing the backend's: nginx's more_set_headers).</summary>
    private void AppendRouteFields(LoopClient client)
    {
        if (client.CustomFields)
        {
            Append(client.Route!.Custom!.Fixed);
        }

        if (client.CorsOrigin is { } origin)
        {
            Append("Access-Control-Allow-Origin: "u8);
            Latin1(origin);
            Append("\r\n"u8);
            Append(client.Route!.Cors!.Fixed);
        }
    }

    /// <summary>32 random hex digits, as the general path's; from the loop's own generator (a Guid costs a read of /dev/urandom here).</summary>
    private string NewRequestId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>As <see cref="Proxy.RequestIds"/>: the client's one X-Request-ID when it is a sane token, else a new one.</summary>
    private string RequestIdOf(LoopClient client)
    {
        var buffer = client.In;
        var found = -1;
        var fields = client.Head.Headers;
        for (var i = 0; i < fields.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(buffer.AsSpan(fields[i].NameStart, fields[i].NameLength), "X-Request-ID"u8))
            {
                found = found < 0 ? i : int.MaxValue; // more than one: none is taken
            }
        }

        var id = found is >= 0 and < int.MaxValue ? buffer.AsSpan(fields[found].ValueStart, fields[found].ValueLength) : default;
        return IsSaneRequestId(id) ? Encoding.ASCII.GetString(id) : NewRequestId();
    }

    /// <summary>A token of printable ASCII of at most 128 characters.</summary>
    private static bool IsSaneRequestId(ReadOnlySpan<byte> value) =>
        value.Length is > 0 and <= MaxRequestIdLength && !value.ContainsAnyExceptInRange((byte)'!', (byte)'~');
}
