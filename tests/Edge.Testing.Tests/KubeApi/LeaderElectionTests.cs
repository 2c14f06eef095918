using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>KubernetesClient's LeaderElector with LeaseLock between two electors, short leases.</summary>
public sealed class LeaderElectionTests : ApiTestBase
{
    private LeaderElector Elector(string identity, Action onStarted, Action? onStopped = null)
    {
        var client = Api.CreateClient();
        var config = new LeaderElectionConfig(new LeaseLock(client, "default", "alb-leader", identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(300),
        };
        var elector = new LeaderElector(config);
        elector.OnStartedLeading += onStarted;
        if (onStopped is not null)
        {
            elector.OnStoppedLeading += onStopped;
        }

        return elector;
    }

    [Fact]
    public async Task The_second_elector_takes_over_after_the_first_stops_renewing()
    {
        var aLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = Elector("a", () => aLeads.TrySetResult());
        using var b = Elector("b", () => bLeads.TrySetResult());
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAndTryToHoldLeadershipForeverAsync(stopA.Token);
        await aLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var runB = b.RunAndTryToHoldLeadershipForeverAsync(stopB.Token);

        await Task.Delay(2500);
        Assert.False(bLeads.Task.IsCompleted, "b must not lead while a renews");
        var lease = Api.Objects.Get<V1Lease>("default", "alb-leader")!;
        Assert.Equal("a", lease.Spec.HolderIdentity);
        var renewTime = (string?)Api.Objects.Get("coordination.k8s.io/v1", "Lease", "default", "alb-leader")!["spec"]!["renewTime"];
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", renewTime);

        await stopA.CancelAsync();
        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lease = Api.Objects.Get<V1Lease>("default", "alb-leader")!;
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Contains(Api.Requests.Snapshot(), r => r.Verb == "update" && r.Resource == "leases" && r.StatusCode == 200);

        await stopB.CancelAsync();
        await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_leader_whose_renewals_fail_stops_leading_and_the_other_takes_over_when_they_succeed_again()
    {
        var aLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = Elector("a", () => aLeads.TrySetResult(), () => aStopped.TrySetResult());
        using var stop = new CancellationTokenSource();
        var runA = a.RunUntilLeadershipLostAsync(stop.Token);
        await aLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Api.Faults.FailWhen(r => r.Resource == "leases" && r.Verb == "update", 500);
        await aStopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await runA.WaitAsync(TimeSpan.FromSeconds(10));

        using var b = Elector("b", () => bLeads.TrySetResult());
        var runB = b.RunAndTryToHoldLeadershipForeverAsync(stop.Token);
        await Task.Delay(1000);
        Assert.False(bLeads.Task.IsCompleted, "b cannot write the Lease while updates fail");
        Api.Faults.Reset();
        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("b", Api.Objects.Get<V1Lease>("default", "alb-leader")!.Spec.HolderIdentity);
        await stop.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
