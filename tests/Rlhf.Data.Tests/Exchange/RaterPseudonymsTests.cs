using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Database;
using Rlhf.Data.Exchange;
using Rlhf.Data.Hosting;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>Rater pseudonyms are keyed by a per-installation secret: stable for one installation, unguessable from outside.</summary>
public class RaterPseudonymsTests
{
    private const string UserId = "3f2b8c9e-7a41-4d55-9a0e-2c1d5b6e8f70";

    [Fact]
    public async Task The_same_installation_keeps_its_pseudonyms_and_another_installation_gets_different_ones()
    {
        await using var first = new TestDatabase();
        var before = first.Services.GetRequiredService<RaterPseudonyms>().For(7, UserId);
        Assert.Matches("^r-[0-9a-f]{16}$", before);

        // The secret was made on first use, next to the database, readable by its owner only.
        var file = Path.Combine(first.Folder, PseudonymSecret.DefaultFileName);
        Assert.True(File.Exists(file));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file)).Length);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // A restart (a new container over the same data folder) reads the same secret.
        var again = PseudonymSecret.Load(new ConfigurationBuilder().Build(), new RlhfPaths(first.Folder, first.Folder));
        Assert.Equal(before, new RaterPseudonyms(again).For(7, UserId));
        Assert.NotEqual(before, new RaterPseudonyms(again).For(8, UserId));

        await using var other = new TestDatabase();
        Assert.NotEqual(before, other.Services.GetRequiredService<RaterPseudonyms>().For(7, UserId));
    }

    [Fact]
    public void A_configured_secret_gives_the_keyed_hmac_and_the_old_unkeyed_hash_no_longer_reproduces_it()
    {
        var secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [PseudonymSecret.SecretSetting] = Convert.ToBase64String(secret),
        }).Build();
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-pseudonym-tests", Guid.NewGuid().ToString("N"));
        var pseudonyms = new RaterPseudonyms(PseudonymSecret.Load(configuration, new RlhfPaths(folder, folder)));

        var expected = "r-" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"rlhf-rater-pseudonym-v2\n7\n{UserId}"))[..8]);
        Assert.Equal(expected, pseudonyms.For(7, UserId));
        Assert.False(Directory.Exists(folder)); // no file is made when the secret is configured

        var unkeyed = "r-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"rlhf-rater-pseudonym-v1\n7\n{UserId}"))[..8]);
        Assert.NotEqual(unkeyed, pseudonyms.For(7, UserId));
        secret[0] ^= 1;
        Assert.NotEqual(expected, new RaterPseudonyms(secret).For(7, UserId));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")] // "short": 5 bytes
    public void A_bad_secret_setting_stops_start_up_naming_the_setting_but_not_the_value(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PseudonymSecret.SecretSetting] = value }).Build();
        var error = Assert.Throws<StartupConfigurationException>(() => PseudonymSecret.Load(configuration, new RlhfPaths("/tmp", "/tmp")));
        Assert.Contains(PseudonymSecret.SecretSetting, error.Message);
        Assert.DoesNotContain(value, error.Message);
    }

    [Fact]
    public void A_damaged_secret_file_stops_start_up_instead_of_silently_changing_every_pseudonym()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-pseudonym-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, PseudonymSecret.DefaultFileName);
            File.WriteAllText(file, "truncated");
            var error = Assert.Throws<StartupConfigurationException>(() => PseudonymSecret.Load(new ConfigurationBuilder().Build(), new RlhfPaths(folder, folder)));
            Assert.Contains(file, error.Message);
            Assert.Equal("truncated", File.ReadAllText(file));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
