using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>Decides which Ingresses are ours, as ingress-nginx does with <c>--ingress-class</c> and IngressClass objects.</summary>
public sealed class IngressClassFilter
{
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";
    public const string DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

    private readonly TranslationOptions _options;
    private readonly Dictionary<string, V1IngressClass> _classes;
    private readonly bool _weAreDefault;

    public IngressClassFilter(IEnumerable<V1IngressClass> classes, TranslationOptions options)
    {
        _options = options;
        _classes = new Dictionary<string, V1IngressClass>(StringComparer.Ordinal);
        foreach (var c in classes)
        {
            _classes.TryAdd(c.Metadata.Name, c);
        }

        _weAreDefault = _classes.Values.Any(c =>
            IsOurs(c) &&
            c.Metadata.Annotations is { } a &&
            a.TryGetValue(DefaultClassAnnotation, out var v) &&
            string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether <paramref name="ingress"/> is ours (without the reason).</summary>
    public bool Accepts(V1Ingress ingress) => Accepts(ingress, out _);

    public bool Accepts(V1Ingress ingress, out Diagnostic? ignored)
    {
        ignored = null;
        if (_options.AllClasses)
        {
            return true;
        }

        var className = ingress.Spec?.IngressClassName;
        if (string.IsNullOrEmpty(className) &&
            ingress.Metadata.Annotations is { } annotations &&
            annotations.TryGetValue(LegacyClassAnnotation, out var legacy))
        {
            if (legacy == _options.IngressClass)
            {
                return true;
            }

            ignored = Codes.OtherClass.At(ObjectNames.Of(ingress), $"metadata.annotations[{LegacyClassAnnotation}]", $"class \"{legacy}\" is not ours (\"{_options.IngressClass}\")");
            return false;
        }

        if (string.IsNullOrEmpty(className))
        {
            if (_weAreDefault || _options.WatchIngressWithoutClass)
            {
                return true;
            }

            ignored = Codes.NoClass.At(ObjectNames.Of(ingress), "spec.ingressClassName", "no class, and no IngressClass of ours is the default (use --watch-ingress-without-class to serve it)");
            return false;
        }

        if (_classes.TryGetValue(className, out var ingressClass))
        {
            if (IsOurs(ingressClass))
            {
                return true;
            }

            ignored = Codes.OtherClass.At(ObjectNames.Of(ingress), "spec.ingressClassName", $"IngressClass \"{className}\" belongs to controller \"{ingressClass.Spec?.Controller}\"");
            return false;
        }

        if (className == _options.IngressClass)
        {
            return true;
        }

        ignored = Codes.OtherClass.At(ObjectNames.Of(ingress), "spec.ingressClassName", $"class \"{className}\" is not ours (\"{_options.IngressClass}\")");
        return false;
    }

    private bool IsOurs(V1IngressClass c) => c.Spec?.Controller == _options.ControllerClass;
}
