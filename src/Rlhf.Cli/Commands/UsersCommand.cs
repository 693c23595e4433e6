using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Users;

namespace Rlhf.Cli.Commands;

/// <summary>`rlhf users create --email E --role R`: create an account, as an admin would on the Users page.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "The user's e-mail (also their user name).", Required = true };
        var role = new Option<string[]>("--role")
        {
            Description = "Admin, Researcher or Rater; repeat for several.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from the first line of standard input; without it a password is generated and printed once.",
        };
        var create = new Command("create", "Create a user with one or more roles.") { email, role, passwordStdin };
        create.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async output =>
        {
            string? password = null;
            if (parseResult.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password))
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync("rlhf: --password-stdin given but standard input had no password.");
                    return 1;
                }
            }

            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
            await initializer.MigrateAsync(ct);
            await initializer.EnsureRolesAsync();
            var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
            var result = await directory.CreateAsync(
                parseResult.GetValue(email)!, parseResult.GetValue(role)!, password, new AuditActor(null, "cli"), ct);
            if (!result.Succeeded)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"rlhf: {result.Error}");
                return 1;
            }
            await output.WriteLineAsync($"Created {parseResult.GetValue(email)!.Trim()} ({string.Join(", ", parseResult.GetValue(role)!.Select(r => Rlhf.Core.Identity.Roles.Normalize(r)))}).");
            if (result.GeneratedPassword is not null)
                await output.WriteLineAsync($"Password (shown once): {result.GeneratedPassword}");
            return 0;
        }));

        return new Command("users", "User accounts.") { create };
    }
}
