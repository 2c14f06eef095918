namespace Edge.Kubernetes;

/// <summary>
/// <c>await new LeaveIoThread()</c>: the rest of the method runs on the thread pool when it was running on another
/// thread, and goes on at once when it already was on the pool. alb completes socket operations on the socket
/// engine's own thread (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, for the request path), so the code after
/// an awaited API-server answer ran on the thread every connection's I/O waits for: deserializing a list page, or the
/// leader planning the status of 10,000 Ingresses after a GET, held every request for 20-40 ms (issue 15, measured in
/// the cluster benchmark). Every answer <see cref="KubeApi"/> reads passes through here before anything is parsed.
/// </summary>
public readonly struct LeaveIoThread : System.Runtime.CompilerServices.ICriticalNotifyCompletion
{
    public LeaveIoThread GetAwaiter() => this;

    public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

    public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
}
