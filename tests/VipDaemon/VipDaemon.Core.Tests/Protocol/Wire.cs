using System.Net;
using VipDaemon.Core.Packets;
using VipDaemon.Core.Protocol;
using Xunit;

namespace VipDaemon.Core.Tests.Protocol;

/// <summary>
/// Several routers on an in-memory LAN with a fake clock: adverts are encoded, put on the wire with a small delay,
/// decoded by every connected peer, and fed back to the pure state machine. Links can be cut and healed.
/// </summary>
internal sealed class Wire
{
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");
    public static readonly TimeSpan Propagation = TimeSpan.FromMicroseconds(100);

    private readonly List<Router> _routers = [];
    private readonly List<(TimeSpan At, Router From, byte[] Bytes)> _inFlight = [];
    private readonly HashSet<(string, string)> _cut = [];

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(100);

    public List<string> Log { get; } = [];

    public IReadOnlyList<Router> Routers => _routers;

    public Router Add(string name, byte priority, int lastOctet, int version = 3, int intervalCs = 100, bool preempt = true, TimeSpan preemptDelay = default)
    {
        var config = new InstanceConfig(name, 51, version, priority, intervalCs, IPAddress.Parse($"192.0.2.{lastOctet}"), [Vip])
        {
            Preempt = preempt,
            PreemptDelay = preemptDelay,
        };
        var router = new Router(this, config);
        _routers.Add(router);
        return router;
    }

    /// <summary>Runs until <paramref name="duration"/> of fake time has passed, delivering adverts and firing timers.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Now + duration;
        while (true)
        {
            var nextTimer = _routers.Where(r => r.State.NextDeadline is not null).Select(r => r.State.NextDeadline!.Value).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var nextPacket = _inFlight.Count == 0 ? TimeSpan.MaxValue : _inFlight.Min(p => p.At);
            var next = nextTimer < nextPacket ? nextTimer : nextPacket;
            if (next > end)
            {
                Now = end;
                return;
            }

            Now = next;
            if (nextPacket <= nextTimer)
            {
                var packet = _inFlight.First(p => p.At == nextPacket);
                _inFlight.Remove(packet);
                foreach (var r in _routers.Where(r => r != packet.From && r.Running && !IsCut(r, packet.From)))
                {
                    r.Receive(packet.Bytes, packet.From.Config.PrimaryAddress);
                }
            }
            else
            {
                foreach (var r in _routers.Where(r => r.State.NextDeadline is { } d && d <= Now).ToList())
                {
                    r.Apply(new VrrpEvent.Tick());
                }
            }
        }
    }

    public void Send(Router from, byte[] bytes) => _inFlight.Add((Now + Propagation, from, bytes));

    public void Cut(Router a, Router b)
    {
        _cut.Add((a.Config.Name, b.Config.Name));
        _cut.Add((b.Config.Name, a.Config.Name));
    }

    public void Heal() => _cut.Clear();

    private bool IsCut(Router a, Router b) => _cut.Contains((a.Config.Name, b.Config.Name));

    public IEnumerable<Router> HoldingVip => _routers.Where(r => r.HoldsVip);

    public IEnumerable<Router> Masters => _routers.Where(r => r.Running && r.State.Role == VrrpRole.Master);
}

internal sealed class Router(Wire wire, InstanceConfig config)
{
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");

    public InstanceConfig Config { get; } = config;

    public VrrpState State { get; private set; } = VrrpState.Initial(config);

    public bool HoldsVip { get; private set; }

    public bool Running { get; private set; }

    public int Announcements { get; private set; }

    public List<(TimeSpan At, VrrpAction.Transition Transition)> Transitions { get; } = [];

    public List<byte> SentPriorities { get; } = [];

    /// <summary>A new process: fresh state (whatever a crashed predecessor left on the interface stays until Startup removes it).</summary>
    public void Start()
    {
        State = VrrpState.Initial(Config);
        Running = true;
        Apply(new VrrpEvent.Startup());
    }

    public void Stop() => Apply(new VrrpEvent.Shutdown());

    /// <summary>kill -9: nothing is sent, the address stays on the interface.</summary>
    public void Crash()
    {
        Running = false;
        State = State with { MasterDownAt = null, AdverAt = null };
    }

    public void SetPriority(byte priority, bool fault = false) => Apply(new VrrpEvent.PriorityChanged(priority, fault));

    public void Receive(byte[] bytes, IPAddress source)
    {
        Assert.True(VrrpCodec.TryParse(bytes, source, Group, out var advert, out var reason, out _), reason.ToString());
        Apply(new VrrpEvent.AdvertReceived(advert!, source));
    }

    public void Apply(VrrpEvent e)
    {
        if (!Running && e is not VrrpEvent.Shutdown)
        {
            return;
        }

        var (state, actions) = VrrpMachine.Step(Config, State, e, wire.Now);
        State = state;
        foreach (var action in actions)
        {
            switch (action)
            {
                case VrrpAction.SendAdvert send:
                    var buffer = new byte[VrrpCodec.MaxMessageLength];
                    var advert = new Advertisement(Config.Version, Config.Vrid, send.Priority, Config.VirtualAddresses, Config.AdvertIntervalCentiseconds);
                    var length = VrrpCodec.Write(buffer, advert, Config.PrimaryAddress, Group, V3Checksum.PseudoHeader);
                    SentPriorities.Add(send.Priority);
                    wire.Send(this, buffer[..length]);
                    break;
                case VrrpAction.AddAddresses:
                    HoldsVip = true;
                    break;
                case VrrpAction.RemoveAddresses:
                    HoldsVip = false;
                    break;
                case VrrpAction.Announce:
                    Announcements++;
                    break;
                case VrrpAction.Transition t:
                    Transitions.Add((wire.Now, t));
                    wire.Log.Add($"{wire.Now.TotalMilliseconds:F1} {Config.Name} {t.From}->{t.To} ({t.Cause})");
                    break;
            }
        }

        if (e is VrrpEvent.Shutdown)
        {
            Running = false;
        }
    }
}
