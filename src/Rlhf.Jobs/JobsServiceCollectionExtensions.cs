using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>The job queue, the model registry and the job handlers (what the site, the CLI and a worker share).</summary>
    public static IServiceCollection AddRlhfJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<JobRunnerOptions>(configuration.GetSection(JobRunnerOptions.Section));
        services.AddSingleton<JobQueue>();
        services.AddScoped<ModelRegistry>();
        services.AddSingleton(sp => ModelImportRoot.From(configuration, sp.GetRequiredService<Rlhf.Data.Hosting.RlhfPaths>()));
        services.AddScoped<IJobHandler, ModelImportJobHandler>();
        services.AddScoped<ModelImports>();
        services.AddScoped<IJobHandler, GenerationJobHandler>();
        services.AddScoped<GenerationService>();
        services.AddScoped<Seeding.ShippedCampaignSeeder>();
        services.AddScoped<IJobHandler, Training.RewardRunJobHandler>();
        services.AddScoped<Training.RewardRunService>();
        services.AddScoped<IJobHandler, Training.SftRunJobHandler>();
        services.AddScoped<Training.SftRunService>();
        services.AddScoped<IJobHandler, Training.PpoRunJobHandler>();
        services.AddScoped<Training.PpoRunService>();
        services.AddScoped<IJobHandler, Training.GrpoRunJobHandler>();
        services.AddScoped<Training.GrpoRunService>();
        services.AddScoped<IJobHandler, Training.DpoRunJobHandler>();
        services.AddScoped<Training.DpoRunService>();
        services.AddScoped<Runs.RunCatalog>();
        services.AddScoped<Training.LoopService>();
        services.AddScoped<IJobHandler, Imports.ImportJobHandler>();
        services.AddScoped<Imports.ImportJobs>();
        return services;
    }

    /// <summary>A job runner in this process (the site by default, or <c>rlhf worker</c>).</summary>
    public static IServiceCollection AddRlhfJobRunner(this IServiceCollection services)
    {
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        return services;
    }
}
