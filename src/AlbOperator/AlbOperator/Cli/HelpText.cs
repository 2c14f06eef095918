namespace AlbOperator.Cli;

internal static class HelpText
{
    public const string Main = """
        alb-operator: deploys and keeps alb instances for Alb objects (albs.edge.io/v1alpha1).

        Usage:
          alb-operator run [flags]    run the operator (leader-elected; every replica serves the admission webhook)
          alb-operator crd            print the CustomResourceDefinition (YAML) to stdout
          alb-operator --help         this text; alb-operator run --help for the flags

        Exit codes: 0 done, 1 failed at run time, 2 bad usage.
        """;

    public static readonly string Run = """
        alb-operator run: watch Alb objects and, while this replica holds the Lease, create and keep what each needs.

        Usage: alb-operator run [flags]

          --kubeconfig FILE       the cluster to talk to (default: the Pod's service account; required outside a Pod)
          --namespace NS          the operator's own namespace: its Lease and its webhook Secret
                                  (default: $POD_NAMESPACE, else default)
          --lease-name NAME       the coordination.k8s.io Lease the replicas elect a leader with (default: alb-operator)
          --identity ID           this replica's name in the Lease and in its User-Agent (alb-operator/ID)
                                  (default: $POD_NAME, else the host name)
          --admin ADDR:PORT       /healthz, /readyz, /metrics over HTTP (default: 127.0.0.1:10256)
          --webhook ADDR:PORT     the admission webhook over HTTPS, POST /validate-ingress (default: 0.0.0.0:9443)
          --alb-image IMAGE       the alb image of an Alb without spec.image (default: this release's, {DEFAULT_ALB_IMAGE})
          --vipd-image IMAGE      the vipd image of an Alb with spec.vip and no spec.vip.image
                                  (default: the alb image with its last path segment replaced by vipd)
          --log-level LEVEL       debug, info, warning or error (default: info); logs go to stderr
          --lease-duration SEC    how long the others wait before taking over a Lease not renewed (default: 15)
          --renew-deadline SEC    a leader that has not renewed for this long stops writing (default: 10)
          --retry-period SEC      the interval of acquire and renew tries (default: 2)
                                  (lease duration > renew deadline > 1.2 x retry period)
        """.Replace("{DEFAULT_ALB_IMAGE}", RunOptions.DefaultAlbImage, StringComparison.Ordinal);
}
