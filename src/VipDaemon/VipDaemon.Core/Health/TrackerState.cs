using VipDaemon.Core.Config;

namespace VipDaemon.Core.Health;

/// <summary>
/// One tracker's health with rise/fall hysteresis: <c>Rise</c> consecutive successes make it healthy,
/// <c>Fall</c> consecutive failures make it failed. Starts healthy, as keepalived's scripts do without
/// <c>init_fail</c>: a node is not held in FAULT before its first check has run.
/// </summary>
public sealed record TrackerState(TrackerSettings Settings, bool Healthy, int Streak)
{
    public static TrackerState Initial(TrackerSettings settings) => new(settings, true, 0);

    /// <summary>Feeds one check result; returns the new state and whether <see cref="Healthy"/> flipped.</summary>
    public (TrackerState State, bool Changed) Observe(bool ok)
    {
        if (ok == Healthy)
        {
            return (this with { Streak = 0 }, false);
        }

        var streak = Streak + 1;
        var needed = ok ? Settings.Rise : Settings.Fall;
        return streak >= needed ? (this with { Healthy = ok, Streak = 0 }, true) : (this with { Streak = streak }, false);
    }
}

/// <summary>keepalived's weighting: the effective priority and whether a weight-0 tracker forces FAULT.</summary>
public static class PriorityCalculator
{
    public static (byte Priority, bool Fault) Compute(byte configured, IEnumerable<TrackerState> trackers)
    {
        if (configured == 255)
        {
            return (255, trackers.Any(t => t.Settings.Weight == 0 && !t.Healthy));
        }

        var priority = (int)configured;
        var fault = false;
        foreach (var t in trackers)
        {
            switch (t.Settings.Weight)
            {
                case 0 when !t.Healthy:
                    fault = true;
                    break;
                case > 0 when t.Healthy:
                    priority += t.Settings.Weight;
                    break;
                case < 0 when !t.Healthy:
                    priority += t.Settings.Weight;
                    break;
            }
        }

        return ((byte)Math.Clamp(priority, 1, 254), fault);
    }
}
