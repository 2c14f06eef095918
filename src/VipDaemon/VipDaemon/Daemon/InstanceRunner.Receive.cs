using System.Net;
using VipDaemon.Core.Packets;
using VipDaemon.Core.Protocol;

namespace VipDaemon.Daemon;

/// <summary>The receive path: one thread reading the raw socket (IPv4 or IPv6), checking each packet, and stepping the machine with valid adverts.</summary>
internal sealed partial class InstanceRunner
{
    private void ReceiveLoop()
    {
        var buffer = new byte[65536];
        var peers = _settings.UnicastPeers.ToHashSet();
        while (_socket.Receive(buffer, out var received, out var malformed))
        {
            if (received is not { } ip)
            {
                if (malformed is { } bad)
                {
                    _metrics.Dropped(_settings.Name, bad);
                }

                continue;
            }

            var packet = buffer.AsSpan(ip.Offset, ip.Length);
            if (ip.Source.Equals(_config.PrimaryAddress))
            {
                continue; // our own advert, looped back
            }

            if (ip.HopLimit != 255)
            {
                Drop(DropReason.TtlNot255, ip.Source);
                continue;
            }

            if (peers.Count > 0 && !peers.Contains(ip.Source))
            {
                Drop(DropReason.UnexpectedSource, ip.Source);
                continue;
            }

            if (!VrrpCodec.TryParse(packet, ip.Source, ip.Destination, out var advert, out var reason, out _))
            {
                Drop(reason, ip.Source);
                continue;
            }

            if (advert!.Vrid != _config.Vrid)
            {
                continue; // another instance's router group on this link
            }

            if (advert.Version != _config.Version)
            {
                Drop(DropReason.BadVersion, ip.Source);
                continue;
            }

            if (advert.Version == 2 && advert.IntervalCentiseconds != _config.AdvertIntervalCentiseconds)
            {
                Drop(DropReason.IntervalMismatch, ip.Source);
                continue;
            }

            if (advert.Version == 2 && advert.AuthType != 0)
            {
                Drop(DropReason.AuthMismatch, ip.Source);
                continue;
            }

            if (!advert.Addresses.ToHashSet().SetEquals(_config.VirtualAddresses))
            {
                _metrics.AddressMismatch(_settings.Name);
            }

            _metrics.Received(_settings.Name);
            _status = _status with { LastAdvert = $"{DateTimeOffset.UtcNow:O} from {ip.Source} priority {advert.Priority}" };
            StepFromReceiver(new VrrpEvent.AdvertReceived(advert, ip.Source));
        }
    }

    private void Drop(DropReason reason, IPAddress source)
    {
        _metrics.Dropped(_settings.Name, reason);
        LogDrop(_logger, _settings.Name, reason, source.ToString());
    }

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "{Instance}: dropped a packet from {Source}: {Reason}")]
    private static partial void LogDrop(ILogger logger, string instance, DropReason reason, string source);
}
