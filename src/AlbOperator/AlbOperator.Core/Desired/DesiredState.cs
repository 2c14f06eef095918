using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>
/// Everything an Alb should have, in apply order: ServiceAccount, ClusterRole, ClusterRoleBinding, Role,
/// RoleBinding, ConfigMap, Service, Deployment, PodDisruptionBudget, IngressClass, and with <c>spec.vip</c> the vipd
/// ConfigMap and DaemonSet. An invalid Alb has no objects, only <see cref="Errors"/>.
/// </summary>
public sealed record DesiredState(AlbSpec Spec, IReadOnlyList<DesiredObject> Objects, string Hash, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    public static DesiredState For(AlbResource alb, DesiredStateOptions options)
    {
        var names = AlbNames.Of(alb);
        var spec = Defaults.Apply(alb.Spec, names.Name);
        var errors = AlbValidation.Validate(alb).ToList();
        if (string.IsNullOrEmpty(alb.Metadata.Uid))
        {
            errors.Add(new("metadata.uid", "must be set (owner references need the Alb as stored by the API server)"));
        }

        var albImage = spec.Image ?? options.AlbImage;
        string? vipdImage = null;
        if (spec.Vip is not null)
        {
            vipdImage = spec.Vip.Image ?? options.VipdImage ?? Images.Sibling(albImage, "vipd");
            if (vipdImage is null)
            {
                errors.Add(new("spec.vip.image", $"must be set: no vipd image can be derived from the alb image \"{albImage}\" (pinned by digest), and the operator has none"));
            }
        }

        if (errors.Count > 0)
        {
            return new DesiredState(spec, [], "", errors);
        }

        var objects = new List<IKubernetesObject<V1ObjectMeta>>
        {
            new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = AlbLabels.Meta(alb, names, names.ServiceAccount, namespaced: true),
            },
        };
        objects.AddRange(AlbRbac.Objects(alb, names));
        objects.Add(AlbNetwork.ConfigMap(alb, names, spec));
        objects.Add(AlbNetwork.Service(alb, names, spec));
        objects.Add(AlbWorkload.Deployment(alb, names, spec, albImage));
        objects.Add(AlbWorkload.DisruptionBudget(alb, names));
        objects.Add(AlbNetwork.IngressClass(alb, names, spec));
        if (spec.Vip is { } vip)
        {
            var config = VipdObjects.Config(names, vip);
            objects.Add(VipdObjects.ConfigMap(alb, names, config));
            objects.Add(VipdObjects.DaemonSet(alb, names, spec, vipdImage!, config));
        }

        var desired = objects.Select(Stamp).ToList();
        var hash = DesiredHash.OfText(string.Join('\n', desired.Select(d => $"{d.Key}={d.Hash}")));
        return new DesiredState(spec, desired, hash, []);
    }

    /// <summary>The hash of the object as built, then written into its <c>edge.io/desired-hash</c> annotation.</summary>
    private static DesiredObject Stamp(IKubernetesObject<V1ObjectMeta> value)
    {
        var hash = DesiredHash.Of(value);
        value.Metadata.Annotations ??= new Dictionary<string, string>();
        value.Metadata.Annotations[AlbApi.DesiredHashAnnotation] = hash;
        return new DesiredObject(value, hash);
    }

    public DesiredObject? Find(string kind, string? name = null) =>
        Objects.FirstOrDefault(o => o.Kind == kind && (name is null || o.Name == name));

    public T? Get<T>(string? name = null)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        Objects.Select(o => o.Object).OfType<T>().FirstOrDefault(o => name is null || o.Metadata.Name == name);
}
