using System.Net;
using VipDaemon.Core.Packets;
using VipDaemon.Core.Protocol;
using VipDaemon.Net;

namespace VipDaemon.Daemon;

/// <summary>What the state machine asks for: adverts, addresses, announcements (gratuitous ARP or unsolicited NA).</summary>
internal sealed partial class InstanceRunner
{
    private void Execute(VrrpAction action)
    {
        switch (action)
        {
            case VrrpAction.SendAdvert send:
                Span<byte> buffer = stackalloc byte[VrrpCodec.MaxMessageLength];
                var advert = new Advertisement(_config.Version, _config.Vrid, send.Priority, _config.VirtualAddresses, _config.AdvertIntervalCentiseconds);
                foreach (var destination in _destinations)
                {
                    var length = VrrpCodec.Write(buffer, advert, _config.PrimaryAddress, destination, _settings.Checksum);
                    _socket.Send(buffer[..length], destination);
                    _metrics.Sent(_settings.Name);
                }

                break;
            case VrrpAction.AddAddresses:
                foreach (var address in _settings.Addresses)
                {
                    AddressManager.Add(_interface.Name, address);
                }

                break;
            case VrrpAction.RemoveAddresses:
                _announcing?.Cancel();
                foreach (var address in _settings.Addresses.Where(a => AddressManager.IsPresent(_interface.Name, a)))
                {
                    AddressManager.Remove(_interface.Name, address);
                }

                break;
            case VrrpAction.Announce:
                Announce();
                break;
            case VrrpAction.Transition t:
                LogTransition(_logger, _settings.Name, t.From, t.To, t.Cause, _state.EffectivePriority);
                _metrics.State(_settings.Name, t.To);
                _metrics.Transition(_settings.Name, t.To, t.Cause);
                if (_settings.Notify is { } hook)
                {
                    _notifier.Enqueue(hook, _settings.Name, t.To.ToString().ToUpperInvariant(), _state.EffectivePriority);
                }

                break;
        }
    }

    /// <summary>
    /// The first gratuitous ARP at once; the rest of the burst, and the refresh while master, on a timer task that
    /// leaving master (RemoveAddresses) cancels.
    /// </summary>
    private void Announce()
    {
        var addresses = _settings.Addresses.Select(a => a.Address).ToArray();
        Send(addresses);
        _announcing?.Cancel();
        var announcing = new CancellationTokenSource();
        _announcing = announcing;
        var garp = _settings.Garp;
        _ = Task.Run(async () =>
        {
            try
            {
                for (var i = 1; i < garp.Count; i++)
                {
                    await Task.Delay(garp.Interval, _time, announcing.Token).ConfigureAwait(false);
                    Send(addresses);
                }

                while (garp.Refresh > TimeSpan.Zero)
                {
                    await Task.Delay(garp.Refresh, _time, announcing.Token).ConfigureAwait(false);
                    Send(addresses);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private void Send(IPAddress[] addresses)
    {
        try
        {
            foreach (var address in addresses)
            {
                if (_na is not null)
                {
                    _na.Send(address);
                }
                else
                {
                    _arp!.Send(address);
                }
            }

            _metrics.Announced(_settings.Name, addresses.Length);
        }
        catch (InvalidOperationException e)
        {
            LogActionFailed(_logger, _settings.Name, "Announce", e.Message);
        }
    }
}
