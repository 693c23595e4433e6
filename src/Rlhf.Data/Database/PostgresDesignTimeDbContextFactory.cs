using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Rlhf.Data.Database;

/// <summary>
/// Lets `dotnet ef migrations add X --context PostgresRlhfDbContext` (eng/add-migration.sh) run without a server:
/// scaffolding a migration compares models and never connects.
/// </summary>
public sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresRlhfDbContext>
{
    public PostgresRlhfDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRlhfDbContext>().UseNpgsql("Host=localhost;Database=rlhf_design_time").Options);
}
