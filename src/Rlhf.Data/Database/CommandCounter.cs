using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rlhf.Core.Telemetry;

namespace Rlhf.Data.Database;

/// <summary>Counts every command a context executes into <see cref="RlhfMetrics.DatabaseCommands"/> (one shared instance, no state).</summary>
public sealed class CommandCounter : DbCommandInterceptor
{
    public static readonly CommandCounter Instance = new();

    private CommandCounter() { }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Counted(result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Counted(result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Counted(result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Counted(result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Counted(result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Counted(result));

    private static T Counted<T>(T result)
    {
        RlhfMetrics.DatabaseCommands.Add(1);
        return result;
    }
}
