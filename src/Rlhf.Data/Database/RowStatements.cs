using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Rlhf.Core.Telemetry;

namespace Rlhf.Data.Database;

/// <summary>
/// One row inserted or updated by a plain command on the running transaction, for the writes of every hand-out and vote.
/// SaveChanges builds its commands anew each time (change detection, modification commands, batching, SQL generation):
/// 12 % of the site's CPU under load for one insert a hand-out and an update and an insert a vote. The statements here
/// are built once per model, from EF Core's own mapping (table and column names, and each property's type mapping, so
/// value converters apply exactly as in SaveChanges), and on SQLite run prepared for the batch
/// (<see cref="SqliteStatementCache"/>). Nothing is tracked: the caller's entity is written as it is, and an insert's
/// generated key is set on it. Each command is counted as EF's are (<see cref="RlhfMetrics.DatabaseCommands"/>).
/// A failed statement throws the provider's exception (a unique violation is a <c>SqliteException</c> or a
/// <c>PostgresException</c>, not a DbUpdateException): <see cref="UniqueViolation"/> reads either.
/// </summary>
public static class RowStatements
{
    private static readonly ConcurrentDictionary<(IModel Model, Type Type, string Kind), Statement> statements = new();

    /// <summary>Inserts <paramref name="row"/> (every mapped property but its generated key) and sets that key on it.</summary>
    public static async Task InsertAsync<T>(RlhfDbContext db, T row, CancellationToken ct) where T : class
    {
        var statement = statements.GetOrAdd((db.Model, typeof(T), "insert"), static (key, db) => Insert(db, key.Type), db);
        var (command, owned) = Command(db, statement, row);
        try
        {
            var id = await command.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"The insert into {statement.Table} returned no key.");
            statement.Key.PropertyInfo!.SetValue(row, Convert.ChangeType(id, statement.Key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally { Done(command, owned); }
    }

    /// <summary>Writes the named properties of <paramref name="row"/> to its row, found by key; the number of rows changed (0 or 1).</summary>
    public static async Task<int> UpdateAsync<T>(RlhfDbContext db, T row, string[] properties, CancellationToken ct) where T : class
    {
        var statement = statements.GetOrAdd((db.Model, typeof(T), "update:" + string.Join(',', properties)),
            static (key, state) => Update(state.db, key.Type, state.properties), (db, properties));
        var (command, owned) = Command(db, statement, row);
        try { return await command.ExecuteNonQueryAsync(ct); }
        finally { Done(command, owned); }
    }

    /// <summary>The statement's command on the running transaction, with the row's values bound; owned: made for this use (else kept prepared).</summary>
    private static (DbCommand Command, bool Owned) Command(RlhfDbContext db, Statement statement, object row)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Rows are written by plain statements only inside a write transaction.");
        var kept = SqliteStatementCache.CommandFor(db, statement.Sql);
        var owned = kept is null;
        DbCommand command = kept ?? tx.Connection!.CreateCommand();
        command.CommandText = statement.Sql;
        command.Transaction = tx;
        var timeout = db.Database.GetCommandTimeout();
        if (timeout is { } seconds) command.CommandTimeout = seconds;
        foreach (var (name, property, mapping) in statement.Parameters)
            command.Parameters.Add(mapping.CreateParameter(command, name, property.GetGetter().GetClrValueUsingContainingEntity(row), property.IsNullable));
        RlhfMetrics.DatabaseCommands.Add(1);
        return (command, owned);
    }

    /// <summary>A command made for one use is disposed; a kept one stays, its statement prepared, without this row's values.</summary>
    private static void Done(DbCommand command, bool owned)
    {
        if (owned) command.Dispose();
        else command.Parameters.Clear();
    }

    private static Statement Insert(RlhfDbContext db, Type type)
    {
        var (entity, table, key) = Table(db, type);
        var columns = entity.GetProperties().Where(p => !p.IsPrimaryKey()).ToArray();
        if (columns.FirstOrDefault(p => p.IsShadowProperty()) is { } shadow)
            throw new InvalidOperationException($"{type.Name}.{shadow.Name} is a shadow property: a plain insert cannot read it.");
        var parameters = Bound(columns);
        var sql = $"INSERT INTO {table.Delimited} ({string.Join(", ", columns.Select(table.Column))}) "
            + $"VALUES ({string.Join(", ", parameters.Select(p => p.Name))}) RETURNING {table.Column(key)}";
        return new Statement(table.Delimited, sql, parameters, key);
    }

    private static Statement Update(RlhfDbContext db, Type type, string[] names)
    {
        var (entity, table, key) = Table(db, type);
        var columns = names.Select(n => entity.FindProperty(n) ?? throw new InvalidOperationException($"{type.Name} has no mapped property {n}.")).ToArray();
        var parameters = Bound([.. columns, key]); // the key's comes last
        var sql = $"UPDATE {table.Delimited} SET {string.Join(", ", columns.Select((p, i) => $"{table.Column(p)} = {parameters[i].Name}"))} "
            + $"WHERE {table.Column(key)} = {parameters[^1].Name}";
        return new Statement(table.Delimited, sql, parameters, key);
    }

    private static (IEntityType Entity, TableNames Table, IProperty Key) Table(RlhfDbContext db, Type type)
    {
        var entity = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
        var key = entity.FindPrimaryKey() is { Properties: [var only] } ? only : throw new InvalidOperationException($"{type.Name} needs a key of one column.");
        var name = entity.GetTableName() ?? throw new InvalidOperationException($"{type.Name} is not mapped to a table.");
        return (entity, new TableNames(db.GetService<ISqlGenerationHelper>(), StoreObjectIdentifier.Table(name, entity.GetSchema())), key);
    }

    /// <summary>A parameter for each property, in order (@p0, @p1, ...), with the type mapping that converts its value.</summary>
    private static (string Name, IProperty Property, RelationalTypeMapping Mapping)[] Bound(IEnumerable<IProperty> properties) =>
        properties.Select((p, i) => ("@p" + i, p, p.GetRelationalTypeMapping())).ToArray();

    private sealed record Statement(string Table, string Sql, (string Name, IProperty Property, RelationalTypeMapping Mapping)[] Parameters, IProperty Key);

    private sealed class TableNames(ISqlGenerationHelper sql, StoreObjectIdentifier table)
    {
        public string Delimited { get; } = sql.DelimitIdentifier(table.Name, table.Schema);

        public string Column(IProperty property) =>
            sql.DelimitIdentifier(property.GetColumnName(table) ?? throw new InvalidOperationException($"{property.Name} has no column in {table.Name}."));
    }
}
