using Alb.Auth;
using Alb.Core.Auth;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// The verified-credential cache: a hit skips the hash, but only for the same (stored hash, password) and only for
/// its lifetime; a wrong password is never remembered. <see cref="PasswordVerifier.Computed"/> counts the hashes run.
/// </summary>
public sealed class PasswordVerifierTests
{
    // {SHA} of "secret" and of "other" (htpasswd -nbs): cheap to verify, so the tests count verifications, not time.
    private const string SecretSha = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";
    private const string OtherSha = "{SHA}0JQeaNqPOBUf+Gph/Fn3xc+fyqI=";

    private static PasswordHash Parse(string text) =>
        PasswordHash.TryParse(text, out var hash, out var error) ? hash : throw new InvalidOperationException(error);

    [Fact]
    public async Task A_verified_password_is_remembered_until_its_lifetime_ends()
    {
        var time = new FakeTimeProvider();
        var verifier = new PasswordVerifier(time);
        var hash = Parse(SecretSha);

        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));
        Assert.Equal(1, verifier.Computed);

        time.Advance(PasswordVerifier.CacheLifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));
        Assert.Equal(1, verifier.Computed);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));
        Assert.Equal(2, verifier.Computed);
    }

    [Fact]
    public async Task A_wrong_password_is_never_remembered_and_never_matches_a_cached_one()
    {
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        var hash = Parse(SecretSha);
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));

        foreach (var wrong in new[] { "Secret", "secret ", "secre", "", "secret\0", "sécret" })
        {
            Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, SecretSha, wrong));
        }

        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, SecretSha, "Secret"));
        Assert.Equal(8, verifier.Computed); // every wrong password ran the hash, the repeated one too
    }

    [Fact]
    public async Task A_changed_stored_hash_never_matches_an_entry_made_under_the_old_one()
    {
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(Parse(SecretSha), SecretSha, "secret"));

        // The Secret now holds another hash: the old password must be checked against it, and fails.
        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(Parse(OtherSha), OtherSha, "secret"));
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(Parse(OtherSha), OtherSha, "other"));
        Assert.Equal(3, verifier.Computed);
    }

    [Fact]
    public async Task The_boundary_between_stored_hash_and_password_is_part_of_the_key()
    {
        // ("{SHA}...=", "secret") cached; the same bytes split differently must miss and run the hash.
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        var hash = Parse(SecretSha);
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, SecretSha, "secret"));
        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, SecretSha + "s", "ecret"));
        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, SecretSha[..^1], "=secret"));
        Assert.Equal(3, verifier.Computed);
    }

    [Fact]
    public async Task Long_and_non_ascii_passwords_are_keyed_by_all_their_characters()
    {
        // Longer than the 256-byte stack buffer the key is computed through, differing only in the last character.
        var longPassword = new string('é', 300) + "😀";
#pragma warning disable CA5350 // {SHA} is the htpasswd format under test
        var stored = "{SHA}" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(longPassword)));
#pragma warning restore CA5350
        var hash = Parse(stored);
        var verifier = new PasswordVerifier(new FakeTimeProvider());
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, stored, longPassword));
        Assert.Equal(PasswordCheck.Valid, await verifier.VerifyAsync(hash, stored, longPassword));
        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, stored, longPassword[..^2] + "😁"));
        Assert.Equal(PasswordCheck.Invalid, await verifier.VerifyAsync(hash, stored, longPassword[1..]));
        Assert.Equal(3, verifier.Computed);
    }
}
