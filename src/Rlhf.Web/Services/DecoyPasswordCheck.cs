using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Rlhf.Data.Identity;

namespace Rlhf.Web.Services;

/// <summary>
/// Equal work for unknown e-mails: a sign-in with an e-mail that has no account verifies the password against a decoy
/// hash made by the same hasher (the same PBKDF2 cost as a real account's), so the answer takes as long as a wrong
/// password for a real account and timing does not tell which e-mails have accounts.
/// </summary>
public sealed class DecoyPasswordCheck
{
    private readonly Lock gate = new();
    private string? hash;

    public void Verify(IPasswordHasher<ApplicationUser> hasher, string? password)
    {
        var decoy = new ApplicationUser();
        lock (gate) hash ??= hasher.HashPassword(decoy, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
        _ = hasher.VerifyHashedPassword(decoy, hash, password ?? "");
    }
}
