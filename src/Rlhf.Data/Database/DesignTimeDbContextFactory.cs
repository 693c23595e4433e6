using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Rlhf.Data.Database;

/// <summary>Lets `dotnet ef migrations add X --context RlhfDbContext` (eng/add-migration.sh) run without the site.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<RlhfDbContext>
{
    public RlhfDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RlhfDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
