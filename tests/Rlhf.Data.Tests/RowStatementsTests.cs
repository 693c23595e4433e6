using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>
/// The rating path's plain inserts and updates store every column exactly as SaveChanges stores it (on SQLite the text
/// of a date is what every comparison of dates reads), write only the columns named, and fail the way the callers read.
/// </summary>
public class RowStatementsTests
{
    private static readonly DateTime Started = new DateTime(2026, 12, 4, 13, 45, 12, DateTimeKind.Utc).AddTicks(1234560); // PostgreSQL keeps microseconds

    private static async Task<(TestDatabase Database, int Project, long Comparison, string Rater)> SetUpAsync()
    {
        var database = await RatingFixture.DatabaseAsync();
        var (project, pool, comparisons) = await RatingFixture.ProjectAsync(database, 2, k: 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        return (database, project, comparisons[0], rater);
    }

    private static Assignment NewAssignment(int project, long comparison, string rater) => new()
    {
        ProjectId = project, ComparisonId = comparison, RaterId = rater, AShownLeft = true, Status = AssignmentStatus.Skipped,
        StartedAtUtc = Started, LeaseExpiresAtUtc = Started.AddMinutes(15), FinishedAtUtc = Started.AddSeconds(7.5), SkipReason = "I cannot judge code",
    };

    private static Vote NewVote(Assignment a, DateTime? voided) => new()
    {
        AssignmentId = a.Id, ComparisonId = a.ComparisonId!.Value, ProjectId = a.ProjectId, RaterId = a.RaterId, Strength = -2, BothBad = true,
        Rationale = "Left is wrong: 2 + 2 = 4.", AShownLeft = true, SecondsOnTask = 12.625, SubmittedAtUtc = Started.AddSeconds(12.625),
        EditedAtUtc = null, EditCount = 3, VoidedAtUtc = voided, VoidedById = voided is null ? null : a.RaterId, VoidReason = voided is null ? null : "spam",
    };

    /// <summary>Every column of the row, as the provider returns it, but the key.</summary>
    private static async Task<Dictionary<string, object>> RowAsync(RlhfDbContext db, string table, long id)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"Id\" = {id}";
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no {table} row {id}");
        return Enumerable.Range(0, reader.FieldCount).Where(i => reader.GetName(i) != "Id").ToDictionary(reader.GetName, reader.GetValue);
    }

    [Fact]
    public async Task An_insert_stores_every_column_as_SaveChanges_does_and_sets_the_new_key()
    {
        var (database, project, comparison, rater) = await SetUpAsync();
        await using var _ = database;
        await using var db = await RatingFixture.ContextAsync(database);
        await using var tx = await db.Database.BeginTransactionAsync();
        SqliteStatementCache.Keep(db); // as in a group commit: the insert runs again on its prepared statement
        try
        {
            var bySaveChanges = NewAssignment(project, comparison, rater);
            db.Assignments.Add(bySaveChanges);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            var keptBefore = SqliteStatementCache.KeptCount(db);
            var plain = new List<Assignment>();
            for (var i = 0; i < 3; i++)
            {
                var a = NewAssignment(project, comparison, rater);
                if (i == 1) (a.FinishedAtUtc, a.SkipReason, a.Status, a.AShownLeft) = (null, null, AssignmentStatus.Leased, false);
                await RowStatements.InsertAsync(db, a, CancellationToken.None);
                plain.Add(a);
            }
            if (db.Database.IsSqlite()) Assert.Equal(keptBefore + 1, SqliteStatementCache.KeptCount(db)); // three inserts, one prepared statement
            Assert.Equal(3, plain.Select(a => a.Id).Distinct().Count());
            Assert.All(plain, a => Assert.True(a.Id > bySaveChanges.Id));

            var expected = await RowAsync(db, "Assignments", bySaveChanges.Id);
            Assert.Equal(expected, await RowAsync(db, "Assignments", plain[0].Id));
            Assert.Equal(expected, await RowAsync(db, "Assignments", plain[2].Id));
            // Read back through EF: the second one's nulls, status and dates are what was written.
            var second = await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == plain[1].Id);
            Assert.Equal((AssignmentStatus.Leased, (DateTime?)null, (string?)null, false, Started, Started.AddMinutes(15), rater),
                (second.Status, second.FinishedAtUtc, second.SkipReason, second.AShownLeft, second.StartedAtUtc, second.LeaseExpiresAtUtc, second.RaterId));
            // A date comparison in SQL reads the plain row exactly as the one SaveChanges wrote.
            Assert.Equal(4, await db.Assignments.CountAsync(a => a.StartedAtUtc == Started && a.LeaseExpiresAtUtc > Started.AddMinutes(15).AddTicks(-1)));

            // Votes: every kind of column, null and not, both ways.
            var votedBySaveChanges = NewVote(bySaveChanges, voided: Started.AddHours(1));
            db.Votes.Add(votedBySaveChanges);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            var votedPlain = NewVote(plain[0], voided: Started.AddHours(1));
            await RowStatements.InsertAsync(db, votedPlain, CancellationToken.None);
            var (votedRow, plainVotedRow) = (await RowAsync(db, "Votes", votedBySaveChanges.Id), await RowAsync(db, "Votes", votedPlain.Id));
            Assert.Equal(plain[0].Id, Convert.ToInt64(plainVotedRow["AssignmentId"]));
            votedRow.Remove("AssignmentId");     // the one column that differs: each vote is on its own assignment
            plainVotedRow.Remove("AssignmentId");
            Assert.Equal(votedRow, plainVotedRow);
            var counted = NewVote(plain[1], voided: null);
            await RowStatements.InsertAsync(db, counted, CancellationToken.None);
            var read = await db.Votes.AsNoTracking().SingleAsync(v => v.Id == counted.Id);
            Assert.Equal((-2, true, 12.625, Started.AddSeconds(12.625), 3, (DateTime?)null, (string?)null, (string?)null, "Left is wrong: 2 + 2 = 4."),
                (read.Strength, read.BothBad, read.SecondsOnTask, read.SubmittedAtUtc, read.EditCount, read.VoidedAtUtc, read.VoidedById, read.VoidReason, read.Rationale));
        }
        finally { SqliteStatementCache.Drop(db); }
    }

    [Fact]
    public async Task An_update_writes_the_named_columns_only_and_says_whether_the_row_was_there()
    {
        var (database, project, comparison, rater) = await SetUpAsync();
        await using var _ = database;
        await using var db = await RatingFixture.ContextAsync(database);
        await using var tx = await db.Database.BeginTransactionAsync();
        var a = NewAssignment(project, comparison, rater);
        a.Status = AssignmentStatus.Leased;
        await RowStatements.InsertAsync(db, a, CancellationToken.None);

        (a.Status, a.FinishedAtUtc, a.SkipReason, a.RaterId) = (AssignmentStatus.Submitted, Started.AddMinutes(2), "not written", "not written either");
        Assert.Equal(1, await RowStatements.UpdateAsync(db, a, [nameof(Assignment.Status), nameof(Assignment.FinishedAtUtc)], CancellationToken.None));
        var read = await db.Assignments.AsNoTracking().SingleAsync(x => x.Id == a.Id);
        Assert.Equal((AssignmentStatus.Submitted, (DateTime?)Started.AddMinutes(2), "I cannot judge code", rater),
            (read.Status, read.FinishedAtUtc, read.SkipReason, read.RaterId));

        a.Id += 1000;
        Assert.Equal(0, await RowStatements.UpdateAsync(db, a, [nameof(Assignment.Status)], CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => RowStatements.UpdateAsync(db, a, ["NoSuchColumn"], CancellationToken.None));
    }

    [Fact]
    public async Task A_refused_insert_throws_what_UniqueViolation_reads_and_nothing_runs_outside_a_transaction()
    {
        var (database, project, comparison, rater) = await SetUpAsync();
        await using var _ = database;
        await using var db = await RatingFixture.ContextAsync(database);
        var outside = NewAssignment(project, comparison, rater);
        await Assert.ThrowsAsync<InvalidOperationException>(() => RowStatements.InsertAsync(db, outside, CancellationToken.None));
        Assert.Equal(0, outside.Id);

        await using var tx = await db.Database.BeginTransactionAsync();
        var (first, second) = (NewAssignment(project, comparison, rater), NewAssignment(project, comparison, rater));
        await RowStatements.InsertAsync(db, first, CancellationToken.None);
        await RowStatements.InsertAsync(db, second, CancellationToken.None);
        await RowStatements.InsertAsync(db, NewVote(first, voided: null), CancellationToken.None);
        // A second counted vote of the rater on the comparison, through another assignment: the index refuses it.
        var refused = await Assert.ThrowsAnyAsync<DbException>(() => RowStatements.InsertAsync(db, NewVote(second, voided: null), CancellationToken.None));
        Assert.True(UniqueViolation.Is(refused, RlhfDbContext.CountedVotePerRaterIndex, "Votes.RaterId"), refused.Message);
        Assert.False(UniqueViolation.Is(refused, "IX_Some_Other_Index", "Votes.Strength"));
    }
}
