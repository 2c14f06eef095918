using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using EtcdBackup.Etcd;
using Grpc.Core;

namespace EtcdBackup.Snapshots;

/// <summary>The failure label of metrics and logs: a short, stable reason for an exception.</summary>
internal static class FailureReason
{
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT

    public static string Of(Exception e) => e switch
    {
        EtcdUnavailableException => "etcd_unreachable",
        AllTargetsFailedException => "all_targets_failed",
        SnapshotStalledException => "etcd_stalled",
        EtcdHashMismatchException => "etcd_hash_mismatch",
        RpcException => "etcd_stream",
        VerificationException => "verify_failed",
        AmazonS3Exception { ErrorCode: "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "AccessDenied" } => "s3_credentials",
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } => "s3_no_bucket",
        AmazonServiceException { InnerException: HttpRequestException or SocketException } or HttpRequestException => "s3_unreachable",
        AmazonClientException when Contains<SocketException>(e) || Contains<HttpRequestException>(e) => "s3_unreachable",
        AmazonServiceException or AmazonClientException => "s3_error",
        IOException io when (io.HResult & 0xFFFF) is NoSpace or QuotaExceeded || io.Message.Contains("No space left", StringComparison.Ordinal) => "disk_full",
        UnauthorizedAccessException => "permission_denied",
        IOException => "write_failed",
        _ => "other",
    };

    private static bool Contains<T>(Exception e)
        where T : Exception
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T)
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class SnapshotStalledException(TimeSpan stall)
    : Exception($"the snapshot stream sent nothing for {stall.TotalSeconds:0} s");

internal sealed class EtcdHashMismatchException(string expected, string actual)
    : Exception($"etcd's SHA-256 of the snapshot is {expected}, the bytes received hash to {actual}: the stream was damaged");

internal sealed class VerificationException(string message) : Exception(message);
