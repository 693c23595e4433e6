using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Audit;
using Rlhf.Core.Demonstrations;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Core.Registry;
using Rlhf.Data.Identity;

namespace Rlhf.Data;

/// <summary>
/// Identity and the domain in one database. This type is the SQLite context (migrations in the top-level migrations/
/// folder); <see cref="Database.PostgresRlhfDbContext"/> derives from it for PostgreSQL (migrations in
/// migrations/Postgres), the one-context-type-per-provider layout EF Core documents for several providers.
/// </summary>
public class RlhfDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public RlhfDbContext(DbContextOptions<RlhfDbContext> options) : base(options) { }

    /// <summary>For a provider's derived context, which shares this model.</summary>
    protected RlhfDbContext(DbContextOptions options) : base(options) { }

    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<RaterProgress> RaterProgress => Set<RaterProgress>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<JobMetric> JobMetrics => Set<JobMetric>();
    public DbSet<JobLogEntry> JobLogEntries => Set<JobLogEntry>();
    public DbSet<Model> Models => Set<Model>();
    public DbSet<Prompt> Prompts => Set<Prompt>();
    public DbSet<Response> Responses => Set<Response>();
    public DbSet<Comparison> Comparisons => Set<Comparison>();
    public DbSet<Vote> Votes => Set<Vote>();
    public DbSet<GoldAnswer> GoldAnswers => Set<GoldAnswer>();
    public DbSet<Demonstration> Demonstrations => Set<Demonstration>();
    public DbSet<ReferenceDemonstration> ReferenceDemonstrations => Set<ReferenceDemonstration>();
    public DbSet<Pool> Pools => Set<Pool>();
    public DbSet<PoolMember> PoolMembers => Set<PoolMember>();
    public DbSet<ProjectPool> ProjectPools => Set<ProjectPool>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    /// <summary>The site's data-protection key ring (sign-in cookies, antiforgery): shared by every site instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Rlhf.Core.Identity.ApiToken> ApiTokens => Set<Rlhf.Core.Identity.ApiToken>();

    /// <summary>The unique index over counted votes by (comparison, rater).</summary>
    public const string CountedVotePerRaterIndex = "IX_Votes_Counted_ComparisonId_RaterId";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Project>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(200).IsRequired();
            e.HasIndex(p => p.Name).IsUnique();
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        });

        builder.Entity<Assignment>(e =>
        {
            e.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
            // ProjectId last: the rater's done-in-project count (every hand-out) reads it from the index, not from each row.
            e.HasIndex(a => new { a.RaterId, a.Status, a.ProjectId });
            e.HasIndex(a => new { a.ComparisonId, a.Status });
            e.HasIndex(a => new { a.RaterId, a.ComparisonId });
            e.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.RaterId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Comparison>().WithMany().HasForeignKey(a => a.ComparisonId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(a => new { a.PromptId, a.Status });
            e.HasOne<Prompt>().WithMany().HasForeignKey(a => a.PromptId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<RaterProgress>(e =>
        {
            // Kept by triggers on Assignments (migration RaterProgressKeptByTriggers): never written by the application.
            e.HasKey(p => new { p.RaterId, p.ProjectId });
            e.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.RaterId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Job>(e =>
        {
            e.Property(j => j.Kind).HasMaxLength(64).IsRequired();
            e.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(j => new { j.Status, j.CreatedAtUtc });
            e.HasIndex(j => j.ProjectId);
        });

        builder.Entity<JobMetric>(e =>
        {
            e.Property(m => m.Name).HasMaxLength(64).IsRequired();
            e.HasIndex(m => new { m.JobId, m.Name, m.Step });
            e.HasOne<Job>().WithMany().HasForeignKey(m => m.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<JobLogEntry>(e =>
        {
            e.Property(l => l.Level).HasMaxLength(16);
            e.HasIndex(l => new { l.JobId, l.Id });
            e.HasOne<Job>().WithMany().HasForeignKey(l => l.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Model>(e =>
        {
            e.Property(m => m.Name).HasMaxLength(200).IsRequired();
            e.HasIndex(m => m.Name).IsUnique();
            e.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(m => m.Source).HasMaxLength(16);
            // Rows stored before other families were supported are all GPT-2.
            e.Property(m => m.ModelType).HasMaxLength(16).IsRequired().HasDefaultValue("gpt2");
            e.HasOne<Model>().WithMany().HasForeignKey(m => m.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Job>().WithMany().HasForeignKey(m => m.ProducedByJobId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Prompt>(e =>
        {
            e.HasIndex(p => p.ProjectId);
            e.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Response>(e =>
        {
            e.Property(r => r.Source).HasMaxLength(200);
            e.HasIndex(r => r.PromptId);
            e.HasOne<Prompt>().WithMany().HasForeignKey(r => r.PromptId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Model>().WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Comparison>(e =>
        {
            e.HasIndex(c => c.ProjectId);
            e.HasIndex(c => new { c.PromptId, c.ResponseAId, c.ResponseBId }).IsUnique();
            e.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Prompt>().WithMany().HasForeignKey(c => c.PromptId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Response>().WithMany().HasForeignKey(c => c.ResponseAId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Response>().WithMany().HasForeignKey(c => c.ResponseBId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Vote>(e =>
        {
            // One vote per assignment, enforced by the database: a double submit cannot store two.
            e.HasIndex(v => v.AssignmentId).IsUnique();
            // At most one counted vote per rater and comparison, whatever assignment it came through (a lease that ran out
            // and came back, a late vote): voided votes are left out, so an admin's void lets the rater's next vote count.
            e.HasIndex(v => new { v.ComparisonId, v.RaterId }).IsUnique().HasFilter("\"VoidedAtUtc\" IS NULL").HasDatabaseName(CountedVotePerRaterIndex);
            e.HasIndex(v => new { v.ComparisonId, v.VoidedAtUtc });
            e.HasIndex(v => new { v.RaterId, v.SubmittedAtUtc, v.ProjectId }); // the rater's votes today, per project, from the index alone
            e.HasIndex(v => new { v.ProjectId, v.SubmittedAtUtc });
            e.Property(v => v.Rationale).HasMaxLength(4000);
            e.HasOne<Assignment>().WithMany().HasForeignKey(v => v.AssignmentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Comparison>().WithMany().HasForeignKey(v => v.ComparisonId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Project>().WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(v => v.RaterId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<GoldAnswer>(e =>
        {
            e.HasKey(g => g.ComparisonId);
            e.Property(g => g.Side).HasConversion<string>().HasMaxLength(4);
            e.HasOne<Comparison>().WithOne().HasForeignKey<GoldAnswer>(g => g.ComparisonId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Demonstration>(e =>
        {
            e.Property(d => d.Verdict).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(d => d.AssignmentId).IsUnique();
            e.HasIndex(d => new { d.ProjectId, d.PromptId });
            e.HasIndex(d => new { d.RaterId, d.SubmittedAtUtc });
            e.HasOne<Assignment>().WithMany().HasForeignKey(d => d.AssignmentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Prompt>().WithMany().HasForeignKey(d => d.PromptId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(d => d.RaterId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<ReferenceDemonstration>(e =>
        {
            e.HasKey(r => r.PromptId);
            e.HasOne<Prompt>().WithOne().HasForeignKey<ReferenceDemonstration>(r => r.PromptId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Pool>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(200).IsRequired();
            e.HasIndex(p => p.Name).IsUnique();
        });

        builder.Entity<PoolMember>(e =>
        {
            e.HasKey(m => new { m.PoolId, m.UserId });
            e.HasIndex(m => m.UserId);
            e.HasOne<Pool>().WithMany().HasForeignKey(m => m.PoolId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ProjectPool>(e =>
        {
            e.HasKey(pp => new { pp.ProjectId, pp.PoolId });
            e.HasOne<Project>().WithMany().HasForeignKey(pp => pp.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Pool>().WithMany().HasForeignKey(pp => pp.PoolId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ProjectMember>(e =>
        {
            e.HasKey(m => new { m.ProjectId, m.UserId });
            e.HasIndex(m => m.UserId);
            e.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Invitation>(e =>
        {
            e.Property(i => i.TokenHash).HasMaxLength(64).IsRequired();
            e.HasIndex(i => i.TokenHash).IsUnique();
            e.HasOne<Pool>().WithMany().HasForeignKey(i => i.PoolId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Rlhf.Core.Identity.ApiToken>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(100).IsRequired();
            e.Property(t => t.TokenHash).HasMaxLength(64).IsRequired();
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEvent>(e =>
        {
            e.Property(a => a.Action).HasMaxLength(64).IsRequired();
            e.HasIndex(a => a.AtUtc);
        });
    }
}
