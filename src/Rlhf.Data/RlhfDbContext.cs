using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Audit;
using Rlhf.Core.Jobs;
using Rlhf.Core.Projects;
using Rlhf.Data.Identity;

namespace Rlhf.Data;

/// <summary>Identity and the domain in one SQLite database. Migrations live in the top-level migrations/ folder.</summary>
public sealed class RlhfDbContext(DbContextOptions<RlhfDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Project>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(200).IsRequired();
            e.HasIndex(p => p.Name).IsUnique();
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        });

        builder.Entity<Assignment>(e =>
        {
            e.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(a => new { a.RaterId, a.Status });
            e.HasIndex(a => new { a.ComparisonId, a.Status });
            e.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.RaterId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Job>(e =>
        {
            e.Property(j => j.Kind).HasMaxLength(64).IsRequired();
            e.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(j => new { j.Status, j.CreatedAtUtc });
        });

        builder.Entity<AuditEvent>(e =>
        {
            e.Property(a => a.Action).HasMaxLength(64).IsRequired();
            e.HasIndex(a => a.AtUtc);
        });
    }
}
