namespace Rlhf.Data.Database;

/// <summary>The database engine behind the platform, from the setting <c>Database:Provider</c>.</summary>
public enum DatabaseProvider
{
    /// <summary>An embedded SQLite file (the default): one machine, nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: several site instances and workers on other machines share it.</summary>
    Postgres,
}
