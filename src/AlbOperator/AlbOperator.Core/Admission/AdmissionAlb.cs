using Alb.Core.Translation;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// One Alb as the webhook judges for it: the class options its alb runs with (<c>--ingress-class</c>,
/// <c>--controller-class</c>, <c>--watch-ingress-without-class</c>, <c>--configmap</c>) and that ConfigMap, whose
/// <c>annotations-risk-level</c> and other keys change what alb refuses.
/// </summary>
public sealed record AdmissionAlb(TranslationOptions Options, V1ConfigMap? ConfigMap = null)
{
    /// <summary>
    /// The settings alb runs with for <paramref name="alb"/>: the same values as <see cref="AlbCommandLine.For"/> and the
    /// ConfigMap the operator writes from <c>spec.config</c>.
    /// </summary>
    public static AdmissionAlb For(AlbResource alb)
    {
        var names = AlbNames.Of(alb);
        var spec = Defaults.Apply(alb.Spec, names.Name);
        var options = new TranslationOptions
        {
            IngressClass = spec.IngressClass!.Name!,
            ControllerClass = names.Controller,
            WatchIngressWithoutClass = spec.IngressClass.Default == true,
            ConfigMap = $"{names.Namespace}/{names.ConfigMap}",
        };
        return new AdmissionAlb(options, AlbNetwork.ConfigMap(alb, names, spec));
    }
}
