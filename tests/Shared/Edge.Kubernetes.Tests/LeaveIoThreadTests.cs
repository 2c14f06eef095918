using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>
/// After <c>await new LeaveIoThread()</c> the method runs on the thread pool: a continuation started on another
/// thread (in alb, the socket engine's) moves there, one already on the pool stays where it is.
/// </summary>
public sealed class LeaveIoThreadTests
{
    [Fact]
    public async Task Moves_a_method_running_on_another_thread_to_the_pool()
    {
        var result = new TaskCompletionSource<(bool Before, bool After, int BeforeId, int AfterId)>();
        var thread = new Thread(() => _ = RunAsync()) { Name = "not the pool" };
        thread.Start();
        thread.Join();
        var (before, after, beforeId, afterId) = await result.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(before);
        Assert.True(after);
        Assert.NotEqual(beforeId, afterId);

        async Task RunAsync()
        {
            var poolBefore = Thread.CurrentThread.IsThreadPoolThread;
            var idBefore = Environment.CurrentManagedThreadId;
            await new LeaveIoThread();
            result.SetResult((poolBefore, Thread.CurrentThread.IsThreadPoolThread, idBefore, Environment.CurrentManagedThreadId));
        }
    }

    [Fact]
    public async Task Goes_on_at_once_on_a_pool_thread()
    {
        var (awaiterCompleted, sameThread) = await Task.Run(async () =>
        {
            var id = Environment.CurrentManagedThreadId;
            var completed = new LeaveIoThread().IsCompleted;
            await new LeaveIoThread();
            return (completed, id == Environment.CurrentManagedThreadId);
        });
        Assert.True(awaiterCompleted);
        Assert.True(sameThread);
    }
}
