using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>
/// Stable hashes of desired content: SHA-256 of the object's JSON (members in declaration order, maps in the order
/// they were built, which is sorted), first 16 hex digits. Equal objects hash equal in every process and run.
/// </summary>
public static class DesiredHash
{
    public static string Of(IKubernetesObject<V1ObjectMeta> value) => OfText(KubernetesJson.Serialize(value));

    public static string OfText(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
