namespace AlbOperator.Webhook;

/// <summary>
/// The admission decision for Ingresses (networking.k8s.io/v1, CREATE and UPDATE): an <c>admission.k8s.io/v1</c>
/// AdmissionReview in, the AdmissionReview answering it out (the request's <c>uid</c>, <c>allowed</c>, and a
/// <c>status.message</c> when refused; <see cref="AdmissionReplies"/> builds both). Called on every replica, on the
/// webhook's request thread: it must be quick (the API server waits 2 s, then ignores the webhook) and must not write
/// to the API server. A body that is not an AdmissionReview throws <see cref="FormatException"/> (answered 400).
/// It may read the cluster through <see cref="Cluster.ClusterView"/> (Ingresses and IngressClasses of every
/// namespace, and the Albs), taken in its constructor.
/// </summary>
internal interface IIngressReviewer
{
    string Respond(string admissionReviewJson);
}
