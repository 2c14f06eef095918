namespace Alb.Cli;

internal static class HelpText
{
    public const string Main = """
        alb: the Edge ingress data plane. Serves Kubernetes Ingress (with ingress-nginx annotations) over
        HTTP/1.1, HTTP/2 and HTTPS with SNI, from a directory of manifests (no cluster needed) or a live cluster.

        Usage:
          alb serve --manifests DIR [flags]      serve the Ingresses found under DIR, reloading on change
          alb serve --kubeconfig FILE [flags]    serve the Ingresses of a cluster (in a Pod: neither flag)
          alb validate DIR [--output text|json]  print every diagnostic; exit 0 clean, 1 errors, 2 unusable input
          alb explain DIR --host H --path P      show which route a request takes, and why
          alb help [COMMAND]                     this text, or a command's flags

        Run 'alb COMMAND --help' for the flags of a command.
        """;

    public const string Serve = """
        alb serve: serve Ingresses from a manifest directory or a cluster.

        Usage: alb serve --manifests DIR [flags]
               alb serve --kubeconfig FILE [flags]   (in a Pod, with KUBERNETES_SERVICE_HOST set: neither)

        Flags:
          --manifests DIR                    directory of *.yaml/*.yml/*.json manifests (searched recursively; watched)
          --kubeconfig FILE                  read Ingresses, Services, EndpointSlices, Secrets and the ConfigMap from the
                                             cluster of FILE's current context (list + watch); excludes --manifests
          --watch-namespace NS               only this namespace's Ingresses, Services and Secrets (default: all)
          --election-id NAME                 Lease whose holder writes Ingress status and Events (default alb-leader)
          --election-namespace NS            namespace of that Lease (default $POD_NAMESPACE, else default);
                                             the identity is $POD_NAME, else the host name
          --publish-service NS/NAME          Ingress status from this Service's addresses (LoadBalancer ingress and
                                             external IPs; NodePort external IPs or cluster IP; ClusterIP cluster IP)
          --publish-status-address A[,B]     Ingress status from these IPs/host names (takes precedence); without
                                             either flag, the nodes of the ready alb Pods
          --update-status-on-shutdown[=false]
                                             the last replica to stop clears the status it wrote (default true)
          --controller-class VALUE           IngressClasses whose spec.controller equals VALUE are ours (default
                                             edge.io/alb; k8s.io/ingress-nginx takes over ingress-nginx's classes)
          --http ADDR:PORT                   plain HTTP listener (default 0.0.0.0:8080)
          --https ADDR:PORT                  HTTPS listener, TLS 1.2/1.3, SNI, HTTP/2 by ALPN (default 0.0.0.0:8443)
          --admin ADDR:PORT                  /healthz, /readyz, /metrics (default 127.0.0.1:10254)
          --ingress-class NAME               class name served when no IngressClass object names it (default alb);
                                             IngressClasses whose spec.controller is --controller-class are always ours
          --watch-ingress-without-class      also serve Ingresses that name no class
          --enable-ssl-passthrough           honour the ssl-passthrough annotation: TLS for those hosts is spliced,
                                             undecrypted, to the backend of the host's "/" path (SNI is peeked)
          --default-ssl-certificate NS/NAME  TLS Secret served when no Ingress certificate matches the SNI name
                                             (default: a generated self-signed certificate)
          --configmap NS/NAME                ConfigMap with global settings (ingress-nginx keys: proxy-body-size,
                                             proxy-connect-timeout, proxy-read-timeout, client-header-timeout,
                                             ssl-redirect)
          --access-log stdout|off|PATH       one JSON line per request (default stdout)
          --log-level debug|info|warning|error
                                             level of alb's own log on stderr (default info)
          --shutdown-timeout SECONDS         how long SIGTERM waits for in-flight requests (default 30)
          -h, --help                         this text
        """;

    public const string Validate = """
        alb validate: load and translate a manifest directory, print every diagnostic.

        Usage: alb validate DIR [--output text|json] [--ingress-class NAME] [--watch-ingress-without-class] [--all-classes]
                                [--default-ssl-certificate NS/NAME] [--configmap NS/NAME]

        Also the migration report: every nginx.ingress.kubernetes.io/* annotation the manifests use, how many Ingresses
        carry it, and whether alb supports it, refuses it by design, or does not support it (yet). Manifests exported
        from an ingress-nginx cluster name the class "nginx" or none: --all-classes checks every Ingress whatever its class.

        Exit codes: 0 no errors (warnings and infos may be printed), 1 errors, 2 unusable input (bad flags, no such directory).
        """;

    public const string Explain = """
        alb explain: show which route a request takes and why, from the same translation and matcher the server uses.

        Usage: alb explain DIR --host HOST --path PATH [--method METHOD] [--header K=V]... [--output text|json]
                               [--ingress-class NAME] [--watch-ingress-without-class] [--all-classes] [--configmap NS/NAME]

        Prints the server (host) chosen, every route of it with whether it matches, the winning Ingress rule, the
        rules it beat (duplicates from newer Ingresses), every step of the route's pipeline (the policies its
        annotations set, in the order requests run them), and the backend with its ready endpoints.
        """;
}
