using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rlhf.Data;
using Rlhf.Data.Hosting;
using Rlhf.Jobs;

namespace Rlhf.Cli;

/// <summary>
/// The same configuration (top-level appsettings.json, environment variables) and services as the site, without
/// the web server.
/// </summary>
internal static class CliHost
{
    public static IHost Create(bool withJobRunner = false)
    {
        var contentRoot = ContentRootLocator.Find();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = contentRoot,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error);
        builder.Services.AddRlhfData(builder.Configuration, contentRoot);
        builder.Services.AddRlhfJobs(builder.Configuration);
        if (withJobRunner)
        {
            builder.Logging.AddFilter("Rlhf.Jobs", LogLevel.Information);
            builder.Services.AddRlhfJobRunner();
        }
        return builder.Build();
    }
}
