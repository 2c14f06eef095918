using System.Collections.Immutable;
using System.Net;
using VipDaemon.Core.Packets;

namespace VipDaemon.Core.Protocol;

/// <summary>
/// The VRRP state machine (RFC 5798 §6.4, with RFC 9568's answer to lower-priority adverts) as a pure step
/// function: <c>(config, state, event, now) → (state, actions)</c>. No clock, socket or log: the host feeds events
/// and executes the actions in order.
/// </summary>
public static class VrrpMachine
{
    public static (VrrpState State, ImmutableArray<VrrpAction> Actions) Step(InstanceConfig config, VrrpState state, VrrpEvent e, TimeSpan now)
    {
        var actions = ImmutableArray.CreateBuilder<VrrpAction>();
        var next = e switch
        {
            VrrpEvent.Startup => Startup(config, state, now, actions),
            VrrpEvent.Shutdown => Shutdown(state, actions),
            VrrpEvent.Tick => Tick(config, state, now, actions),
            VrrpEvent.AdvertReceived a => Received(config, state, a.Advertisement, a.Source, now, actions),
            VrrpEvent.PriorityChanged p => PriorityChanged(config, state, p.EffectivePriority, p.Fault, now, actions),
            _ => state,
        };
        return (next, actions.ToImmutable());
    }

    private static VrrpState Startup(InstanceConfig config, VrrpState state, TimeSpan now, ImmutableArray<VrrpAction>.Builder actions)
    {
        if (state.Role != VrrpRole.Initialize)
        {
            return state;
        }

        state = state with { StartedAt = now, MasterAdverIntervalCentiseconds = config.AdvertIntervalCentiseconds };
        if (state.Faulted)
        {
            actions.Add(new VrrpAction.RemoveAddresses());
            return To(state, VrrpRole.Fault, TransitionCause.Tracker, actions) with { MasterDownAt = null, AdverAt = null };
        }

        if (config.IsOwner)
        {
            return BecomeMaster(config, state, now, TransitionCause.AddressOwner, actions);
        }

        // Never start as master: a crashed predecessor may have left the addresses behind.
        actions.Add(new VrrpAction.RemoveAddresses());
        return To(state, VrrpRole.Backup, TransitionCause.Startup, actions) with
        {
            MasterDownAt = now + Timers.MasterDownInterval(config.Version, state.EffectivePriority, config.AdvertIntervalCentiseconds),
            AdverAt = null,
            MasterAddress = null,
        };
    }

    private static VrrpState Shutdown(VrrpState state, ImmutableArray<VrrpAction>.Builder actions)
    {
        if (state.Role == VrrpRole.Master)
        {
            actions.Add(new VrrpAction.SendAdvert(0)); // backups take over after Skew_Time instead of Master_Down_Interval
        }

        actions.Add(new VrrpAction.RemoveAddresses());
        return state.Role == VrrpRole.Initialize
            ? state
            : To(state, VrrpRole.Initialize, TransitionCause.Shutdown, actions) with { MasterDownAt = null, AdverAt = null };
    }

    private static VrrpState Tick(InstanceConfig config, VrrpState state, TimeSpan now, ImmutableArray<VrrpAction>.Builder actions)
    {
        switch (state.Role)
        {
            case VrrpRole.Backup when state.MasterDownAt is { } down && down <= now:
                var preempting = state.LowerPriorityMasterSince is not null;
                if (preempting && config.PreemptDelay > TimeSpan.Zero)
                {
                    var allowedAt = Max(state.StartedAt, state.LowerPriorityMasterSince!.Value) + config.PreemptDelay;
                    if (now < allowedAt)
                    {
                        return state with { MasterDownAt = allowedAt };
                    }
                }

                var cause = preempting ? TransitionCause.Preempted : state.MasterStopping ? TransitionCause.PriorityZeroAdvert : TransitionCause.MasterDownTimer;
                return BecomeMaster(config, state, now, cause, actions);

            case VrrpRole.Master when state.AdverAt is { } adver && adver <= now:
                actions.Add(new VrrpAction.SendAdvert(state.EffectivePriority));
                return state with { AdverAt = now + config.AdvertInterval };

            default:
                return state;
        }
    }

    private static VrrpState Received(InstanceConfig config, VrrpState state, Advertisement advert, IPAddress source, TimeSpan now, ImmutableArray<VrrpAction>.Builder actions)
    {
        switch (state.Role)
        {
            case VrrpRole.Backup:
                if (advert.Priority == 0)
                {
                    // The master is stopping: take over after Skew_Time, not the whole Master_Down_Interval.
                    return state with
                    {
                        MasterDownAt = now + Timers.Skew(config.Version, state.EffectivePriority, state.MasterAdverIntervalCentiseconds),
                        MasterAddress = null,
                        LowerPriorityMasterSince = null,
                        MasterStopping = true,
                    };
                }

                if (!config.Preempt || advert.Priority >= state.EffectivePriority)
                {
                    var interval = config.Version == 3 && advert.IntervalCentiseconds > 0 ? advert.IntervalCentiseconds : config.AdvertIntervalCentiseconds;
                    return state with
                    {
                        MasterAdverIntervalCentiseconds = interval,
                        MasterDownAt = now + Timers.MasterDownInterval(config.Version, state.EffectivePriority, interval),
                        MasterAddress = source,
                        MasterPriority = advert.Priority,
                        LowerPriorityMasterSince = null,
                        MasterStopping = false,
                    };
                }

                // A lower-priority master while we preempt: ignore it; the down timer fires and we take over.
                return state with
                {
                    MasterAddress = source,
                    MasterPriority = advert.Priority,
                    LowerPriorityMasterSince = state.LowerPriorityMasterSince ?? now,
                };

            case VrrpRole.Master when config.IsOwner:
                return state; // the address owner ignores adverts (RFC 5798 §6.4.3)

            case VrrpRole.Master:
                if (advert.Priority == 0)
                {
                    actions.Add(new VrrpAction.SendAdvert(state.EffectivePriority));
                    return state with { AdverAt = now + config.AdvertInterval };
                }

                if (advert.Priority > state.EffectivePriority ||
                    (advert.Priority == state.EffectivePriority && Compare(source, config.PrimaryAddress) > 0))
                {
                    // Yield. One farewell advert at our priority makes a master that was split from us hear a lower
                    // priority and re-announce (the healed split brain of reference/vrrp.md §6.5).
                    actions.Add(new VrrpAction.SendAdvert(state.EffectivePriority));
                    actions.Add(new VrrpAction.RemoveAddresses());
                    var interval = config.Version == 3 && advert.IntervalCentiseconds > 0 ? advert.IntervalCentiseconds : config.AdvertIntervalCentiseconds;
                    return To(state, VrrpRole.Backup, TransitionCause.HigherPriorityAdvert, actions) with
                    {
                        AdverAt = null,
                        MasterAdverIntervalCentiseconds = interval,
                        MasterDownAt = now + Timers.MasterDownInterval(config.Version, state.EffectivePriority, interval),
                        MasterAddress = source,
                        MasterPriority = advert.Priority,
                        LowerPriorityMasterSince = null,
                    };
                }

                // A lower priority (or an equal one from a lower address) claims mastership: answer at once and
                // re-announce, so hosts that followed the other node come back within one interval.
                actions.Add(new VrrpAction.SendAdvert(state.EffectivePriority));
                actions.Add(new VrrpAction.Announce());
                return state with { AdverAt = now + config.AdvertInterval };

            default:
                return state; // Initialize and Fault do not take part
        }
    }

    private static VrrpState PriorityChanged(InstanceConfig config, VrrpState state, byte priority, bool fault, TimeSpan now, ImmutableArray<VrrpAction>.Builder actions)
    {
        // A non-owner never reaches 255 or 0 through tracking.
        var effective = config.IsOwner ? (byte)255 : Math.Clamp(priority, (byte)1, (byte)254);
        var changed = state with { EffectivePriority = effective, Faulted = fault };

        if (fault)
        {
            switch (state.Role)
            {
                case VrrpRole.Master:
                    actions.Add(new VrrpAction.SendAdvert(0));
                    actions.Add(new VrrpAction.RemoveAddresses());
                    return To(changed, VrrpRole.Fault, TransitionCause.Tracker, actions) with { AdverAt = null, MasterDownAt = null };
                case VrrpRole.Backup:
                    return To(changed, VrrpRole.Fault, TransitionCause.Tracker, actions) with { AdverAt = null, MasterDownAt = null };
                default:
                    return changed;
            }
        }

        switch (state.Role)
        {
            case VrrpRole.Fault when config.IsOwner:
                return BecomeMaster(config, changed, now, TransitionCause.Tracker, actions);
            case VrrpRole.Fault:
                return To(changed, VrrpRole.Backup, TransitionCause.Tracker, actions) with
                {
                    MasterDownAt = now + Timers.MasterDownInterval(config.Version, effective, config.AdvertIntervalCentiseconds),
                    MasterAdverIntervalCentiseconds = config.AdvertIntervalCentiseconds,
                };
            case VrrpRole.Master when effective != state.EffectivePriority:
                actions.Add(new VrrpAction.SendAdvert(effective)); // a new priority is announced at once
                return changed with { AdverAt = now + config.AdvertInterval };
            case VrrpRole.Backup when config.Preempt && state.MasterAddress is not null && effective > state.MasterPriority && state.MasterPriority > 0:
                // We now outrank the master we follow: from here its adverts are ignored and the down timer preempts it.
                return changed with { LowerPriorityMasterSince = state.LowerPriorityMasterSince ?? now };
            default:
                return changed;
        }
    }

    private static VrrpState BecomeMaster(InstanceConfig config, VrrpState state, TimeSpan now, TransitionCause cause, ImmutableArray<VrrpAction>.Builder actions)
    {
        actions.Add(new VrrpAction.SendAdvert(state.EffectivePriority));
        actions.Add(new VrrpAction.AddAddresses());
        actions.Add(new VrrpAction.Announce());
        return To(state, VrrpRole.Master, cause, actions) with
        {
            AdverAt = now + config.AdvertInterval,
            MasterDownAt = null,
            MasterAddress = config.PrimaryAddress,
            MasterPriority = state.EffectivePriority,
            LowerPriorityMasterSince = null,
            MasterStopping = false,
        };
    }

    private static VrrpState To(VrrpState state, VrrpRole role, TransitionCause cause, ImmutableArray<VrrpAction>.Builder actions)
    {
        actions.Add(new VrrpAction.Transition(state.Role, role, cause));
        return state with { Role = role };
    }

    /// <summary>Primary addresses compared as unsigned big-endian numbers (RFC 5798 §6.4.3 tie-break).</summary>
    public static int Compare(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out var lx);
        b.TryWriteBytes(y, out var ly);
        return lx != ly ? lx.CompareTo(ly) : x[..lx].SequenceCompareTo(y[..ly]);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
