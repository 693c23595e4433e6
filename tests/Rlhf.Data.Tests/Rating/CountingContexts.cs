using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Database;

namespace Rlhf.Data.Tests.Rating;

/// <summary>Contexts on a test database that count and keep the SQL commands they send (this factory's alone, whatever else runs).</summary>
public sealed class CountingContexts(TestDatabase database) : IDbContextFactory<RlhfDbContext>
{
    private readonly Counter counter = new();
    private readonly DatabaseLocation location = database.Services.GetRequiredService<DatabaseLocation>();

    public long Commands => Interlocked.Read(ref counter.Count);

    /// <summary>How many times a connection of these contexts was opened.</summary>
    public long Opens => Interlocked.Read(ref opens.Count);

    private readonly OpenCounter opens = new();

    /// <summary>The text of every command sent so far, in order.</summary>
    public IReadOnlyList<string> Texts { get { lock (counter.Texts) return [.. counter.Texts]; } }

    /// <summary>A context of the test database's provider, as the site makes them, with the counter added.</summary>
    public RlhfDbContext CreateDbContext()
    {
        if (factory is null)
        {
            var options = new DbContextOptionsBuilder<RlhfDbContext>();
            RlhfDbContextFactory.Configure(options, location);
            Interlocked.CompareExchange(ref factory, new RlhfDbContextFactory(options.AddInterceptors(counter, opens).Options, location), null);
        }
        return factory.CreateDbContext();
    }

    private RlhfDbContextFactory? factory;

    private sealed class Counter : DbCommandInterceptor
    {
        public long Count;
        public readonly List<string> Texts = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            lock (Texts) Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            lock (Texts) Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            lock (Texts) Texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    private sealed class OpenCounter : DbConnectionInterceptor
    {
        public long Count;

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Increment(ref Count);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return Task.CompletedTask;
        }
    }
}
