using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Audit;
using Rlhf.Data.Dashboard;
using Rlhf.Data.Database;
using Rlhf.Data.Hosting;
using Rlhf.Data.Identity;
using Rlhf.Data.Users;

namespace Rlhf.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>The database location <see cref="AddRlhfData"/> resolved, for set-up that needs it before the container is built.</summary>
    public static DatabaseLocation RegisteredDatabaseLocation(this IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(DatabaseLocation))?.ImplementationInstance as DatabaseLocation
            ?? throw new InvalidOperationException("AddRlhfData has not been called.");

    /// <summary>
    /// The database (<c>Database:Provider</c> Sqlite or Postgres, connection string <c>ConnectionStrings:Rlhf</c>), Identity stores with roles and lockout, and the
    /// services the site and the CLI share. Throws <see cref="StartupConfigurationException"/> on a bad setting.
    /// </summary>
    public static IdentityBuilder AddRlhfData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var location = DatabaseLocation.Resolve(configuration, contentRoot);
        services.AddSingleton(location);
        services.AddSingleton(RlhfPaths.From(location, contentRoot));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Exchange.ImportSettings.From(configuration));
        services.AddSingleton<WriteGate>();
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<Tokens.ApiPrincipalCache>();
        services.AddSingleton<Rating.FreshComparisonHint>();
        services.AddSingleton<Rating.LeaseSweepMark>();
        services.AddSingleton<Rating.ComparisonCounts>();
        // The factory serves long-lived Blazor circuits and jobs; the scoped context serves Identity and requests.
        services.AddDbContextFactory<RlhfDbContext, RlhfDbContextFactory>(o => RlhfDbContextFactory.Configure(o, location));

        services.AddScoped<AuditLog>();
        services.AddScoped<UserDirectory>();
        services.AddScoped<DashboardService>();
        services.AddScoped<DatabaseInitializer>();
        services.AddScoped<Rating.RatingService>();
        services.AddScoped<Rating.VoteHistoryService>();
        services.AddScoped<Demonstrations.DemonstrationService>();
        services.AddScoped<Demonstrations.DemonstrationReviewService>();
        services.AddScoped<Exchange.SftExport>();
        services.AddScoped<Projects.ProjectService>();
        services.AddScoped<Projects.ProjectMemberService>();
        services.AddScoped<Pools.PoolService>();
        services.AddScoped<Statistics.ProjectStatisticsService>();
        services.AddScoped<Review.ReviewQueueService>();
        services.AddScoped<Statistics.ModelComparisonService>();
        services.AddScoped<Exchange.ImportService>();
        services.AddScoped<Exchange.ExportService>();
        services.AddSingleton(sp => new Exchange.RaterPseudonyms(Exchange.PseudonymSecret.Load(configuration, sp.GetRequiredService<RlhfPaths>())));
        services.AddScoped<Tokens.ApiTokenService>();

        return services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.SignIn.RequireConfirmedAccount = false;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = configuration.GetValue("Identity:MaxFailedAccessAttempts", 5);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(configuration.GetValue("Identity:LockoutMinutes", 15));
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<RlhfDbContext>();
    }
}
