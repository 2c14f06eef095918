using System.Security.Cryptography;
using EtcdBackup.Targets;
using Xunit;

namespace EtcdBackup.Tests.Targets;

/// <summary>
/// The local target with objects larger than the writeback step (the process tests' snapshots are a few MiB, below it):
/// the kernel is asked to write every 8 MiB while the object arrives, and the object that lands is byte for byte what
/// was written.
/// </summary>
public sealed class LocalTargetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-backup-local-").FullName;

    [Fact]
    public async Task A_large_object_lands_whole_under_its_name_and_nothing_else_is_left()
    {
        var data = RandomNumberGenerator.GetBytes(40 * 1024 * 1024 + 12345);
        var target = new LocalTarget(_dir);

        await using (var writer = await target.CreateAsync("big.db", CancellationToken.None))
        {
            for (var offset = 0; offset < data.Length; offset += 32 * 1024)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(32 * 1024, data.Length - offset)), CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(["big.db"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(_dir, "big.db"))));
    }

    [Fact]
    public async Task Writeback_is_requested_every_8_MiB_for_bytes_that_left_the_buffer()
    {
        const int bufferSize = 1024 * 1024;
        await using var file = new FileStream(Path.Combine(_dir, "w.db"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize);
        var writeback = new Writeback(file, bufferSize);
        var chunk = new byte[32 * 1024];

        for (var written = 0; written < 40 * 1024 * 1024; written += chunk.Length)
        {
            await file.WriteAsync(chunk);
            writeback.Advance();
            Assert.True(writeback.RequestedUpTo <= file.Position - bufferSize || writeback.RequestedUpTo == 0);
        }

        // 40 MiB written, 1 MiB of it possibly still buffered: 39 MiB reached the kernel, in four 8 MiB steps.
        Assert.Equal(4, writeback.Requests);
        Assert.Equal(4 * Writeback.Every, writeback.RequestedUpTo);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
