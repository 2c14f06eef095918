namespace AlbOperator.Core.Model;

/// <summary>The names of the <c>Alb</c> API (<c>albs.edge.io/v1alpha1</c>) and the keys the operator writes.</summary>
public static class AlbApi
{
    public const string Group = "edge.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "Alb";
    public const string ListKind = "AlbList";
    public const string Plural = "albs";
    public const string Singular = "alb";
    public const string CrdName = Plural + "." + Group;

    /// <summary>Every IngressClass the operator writes has a <c>spec.controller</c> starting with this.</summary>
    public const string ControllerPrefix = "edge.io/alb";

    /// <summary>The field manager of every server-side apply the operator makes.</summary>
    public const string FieldManager = "alb-operator";

    /// <summary>Removed only after the cluster-scoped objects of the Alb are gone (owner references cannot reach them).</summary>
    public const string Finalizer = "edge.io/cleanup";

    /// <summary>On every desired object: the hash of its desired content, compared before applying.</summary>
    public const string DesiredHashAnnotation = "edge.io/desired-hash";

    /// <summary>On the vipd pod template: the hash of the vipd config, so a config change rolls the DaemonSet.</summary>
    public const string ConfigHashAnnotation = "edge.io/config-hash";

    /// <summary>On every object: the namespace and name of the Alb it belongs to (cluster-scoped ones are found by these).</summary>
    public const string AlbNamespaceLabel = "edge.io/alb-namespace";
    public const string AlbNameLabel = "edge.io/alb-name";

    public const string DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
}
