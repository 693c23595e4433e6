using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Identity;

namespace Rlhf.Web.Tests.Api;

/// <summary>
/// An unknown e-mail costs the same password check as a wrong password for a real account (the answer is the same too),
/// so neither the answer nor its timing tells which e-mails have accounts. The behaviour is tested, not the clock.
/// </summary>
public class UnknownEmailSignInTests
{
    private sealed class CountingHasher : PasswordHasher<ApplicationUser>
    {
        private int verifications;
        public int Verifications => Volatile.Read(ref verifications);

        public override PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task The_token_endpoint_and_the_login_page_check_a_password_for_unknown_e_mails_too()
    {
        var hasher = new CountingHasher();
        await using var factory = new RlhfWebFactory();
        await using var site = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<ApplicationUser>>(hasher)));
        var client = site.CreateClient(new() { AllowAutoRedirect = false });

        async Task<(HttpStatusCode, string, int)> TokenAsync(string email)
        {
            var before = hasher.Verifications;
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "Wrong-Password-1" });
            return (response.StatusCode, await ApiSession.ProblemAsync(response, HttpStatusCode.Unauthorized), hasher.Verifications - before);
        }
        var known = await TokenAsync(RlhfWebFactory.AdminEmail);
        var unknown = await TokenAsync("nobody@example.test");
        Assert.Equal((HttpStatusCode.Unauthorized, "Wrong e-mail or password.", 1), known);
        Assert.Equal(known, unknown);

        var beforeLogin = hasher.Verifications;
        var page = await AccountForms.LoginAsync(client, "nobody@example.test", "Wrong-Password-1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Wrong e-mail or password", await page.Content.ReadAsStringAsync());
        Assert.Equal(1, hasher.Verifications - beforeLogin);
    }
}
