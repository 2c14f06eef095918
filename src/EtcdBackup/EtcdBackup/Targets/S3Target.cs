using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3Location = EtcdBackup.Core.Config.S3Location;
using EtcdBackup.Core.Retention;
using EtcdBackup.Core.Transforms;

namespace EtcdBackup.Targets;

/// <summary>
/// An S3 bucket and prefix (AWS or S3-compatible, path-style). Credentials come from the AWS SDK's default chain, as
/// the AWS CLI reads them: <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, then the shared credentials file
/// (<c>AWS_SHARED_CREDENTIALS_FILE</c>, <c>AWS_PROFILE</c>), then the instance's role. Objects are written by
/// multipart upload as they stream (see <see cref="S3MultipartWriter"/>); only our prefix's top level is listed.
/// </summary>
internal sealed class S3Target : ITarget, IDisposable
{
    private const int MaxSmallObject = 1024 * 1024;
    private readonly AmazonS3Client _client;

    public S3Target(S3Location location)
    {
        Location = location;
        var region = location.Region.Length > 0 ? location.Region
            : Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        var config = new AmazonS3Config
        {
            // Checksums only where S3 requires them: S3-compatible stores reject the trailer the SDK sends otherwise.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 4,
            // No fixed per-request limit (the SDK's default would cut a part on a slow link); each part gets a
            // deadline from its size instead (see S3MultipartWriter), and small requests the command timeout.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            // The SDK copies a part into the request (and through the payload hash) in pieces of this size; its
            // default, 8 KiB, made a send call per 8 KiB: 18,000 per 146 MB.
            BufferSize = 256 * 1024,
        };
        if (location.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        _client = new AmazonS3Client(config);
    }

    public S3Location Location { get; }

    /// <summary>The limit for requests other than part uploads (list, small objects, create, complete, delete).</summary>
    internal static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    internal static CancellationTokenSource Deadline(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(RequestTimeout);
        return cts;
    }

    public string Name => Location.ToString();

    /// <summary>The key prefix our objects sit directly under ("" for a whole bucket).</summary>
    private string ListPrefix => Location.Prefix.Length == 0 ? "" : Location.Prefix + "/";

    internal AmazonS3Client Client => _client;

    /// <summary>
    /// Over HTTPS, part bodies go unsigned (<c>UNSIGNED-PAYLOAD</c>), as the AWS CLI sends them: TLS protects them in
    /// transit and the manifest's SHA-256 proves them at rest, and signing costs a SHA-256 pass over every byte
    /// (measured: a quarter of etcd-backup's CPU with an S3 target). Over plain HTTP they stay signed; the SDK allows
    /// nothing else.
    /// </summary>
    internal bool PayloadSigningOptional => Location.Endpoint is not { } endpoint || endpoint.Scheme == Uri.UriSchemeHttps;

    public async Task<ITargetWriter> CreateAsync(string fileName, CancellationToken ct)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = Location.Bucket, Key = Location.KeyFor(fileName) };
        ApplyEncryption(request);
        using var deadline = Deadline(ct);
        var response = await _client.InitiateMultipartUploadAsync(request, deadline.Token).ConfigureAwait(false);
        return new S3MultipartWriter(this, request.Key, response.UploadId);
    }

    public async Task WriteSmallAsync(string fileName, byte[] content, CancellationToken ct)
    {
        var request = new PutObjectRequest
        {
            BucketName = Location.Bucket,
            Key = Location.KeyFor(fileName),
            InputStream = new MemoryStream(content, writable: false),
            UseChunkEncoding = false,
            ContentType = "application/json",
        };
        if (Location.ServerSideEncryption is { } sse)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(sse);
            request.ServerSideEncryptionKeyManagementServiceKeyId = Location.KmsKeyId;
        }

        using var deadline = Deadline(ct);
        await _client.PutObjectAsync(request, deadline.Token).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct)
    {
        var files = new List<StoredFile>();
        var prefix = ListPrefix;
        var request = new ListObjectsV2Request { BucketName = Location.Bucket, Prefix = prefix, Delimiter = "/" };
        ListObjectsV2Response response;
        do
        {
            using var deadline = Deadline(ct);
            response = await _client.ListObjectsV2Async(request, deadline.Token).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                files.Add(new StoredFile(o.Key[prefix.Length..], o.Size ?? 0));
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return files;
    }

    public async Task<byte[]> ReadSmallAsync(string fileName, CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        using var response = await _client.GetObjectAsync(Location.Bucket, Location.KeyFor(fileName), deadline.Token).ConfigureAwait(false);
        if (response.ContentLength > MaxSmallObject)
        {
            throw new InvalidDataException($"{fileName} is {response.ContentLength} bytes; a manifest is never over {MaxSmallObject}");
        }

        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, deadline.Token).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public async Task<Stream> OpenReadAsync(string fileName, CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        var response = await _client.GetObjectAsync(Location.Bucket, Location.KeyFor(fileName), deadline.Token).ConfigureAwait(false);
        return new OwningStream(response.ResponseStream, response);
    }

    public async Task DeleteAsync(string fileName, CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        await _client.DeleteObjectAsync(Location.Bucket, Location.KeyFor(fileName), deadline.Token).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> CleanHiddenLeftoversAsync(bool dryRun, CancellationToken ct)
    {
        var lines = new List<string>();
        ListMultipartUploadsResponse uploads;
        using var deadline = Deadline(ct);
        try
        {
            uploads = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = Location.Bucket,
                Prefix = ListPrefix,
            }, deadline.Token).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NotImplemented")
        {
            return [$"{Name}: this store cannot list unfinished multipart uploads; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes any left by a killed run"];
        }

        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            lines.Add($"{(dryRun ? "would abort" : "abort")} unfinished upload of {upload.Key} (started {upload.Initiated:u})");
            if (!dryRun)
            {
                await _client.AbortMultipartUploadAsync(Location.Bucket, upload.Key, upload.UploadId, deadline.Token).ConfigureAwait(false);
            }
        }

        return lines;
    }

    private void ApplyEncryption(InitiateMultipartUploadRequest request)
    {
        if (Location.ServerSideEncryption is { } sse)
        {
            request.ServerSideEncryptionMethod = new ServerSideEncryptionMethod(sse);
            request.ServerSideEncryptionKeyManagementServiceKeyId = Location.KmsKeyId;
        }
    }

    public override string ToString() => Name;

    public void Dispose() => _client.Dispose();

    /// <summary>A response stream that disposes its response with it.</summary>
    private sealed class OwningStream(Stream inner, IDisposable owner) : ReadOnlyStream
    {
        public override long Length => inner.Length;
        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
