namespace AlbOperator.Webhook;

/// <summary>
/// The reviewer until the real one is plugged in: allows every Ingress, and says so once at start.
/// TODO(admission): replace with the reviewer built on AlbOperator.Core.Admission (registered in RunCommand).
/// </summary>
internal sealed partial class AllowAllReviewer : IIngressReviewer
{
    public AllowAllReviewer(ILogger<AllowAllReviewer> logger) => LogAllowAll(logger);

    public string Respond(string admissionReviewJson) => AdmissionReplies.Allow(AdmissionReplies.Uid(admissionReviewJson));

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Ingress admission: no checks yet (AlbOperator.Core.Admission is not plugged in); every Ingress is allowed")]
    private static partial void LogAllowAll(ILogger logger);
}
