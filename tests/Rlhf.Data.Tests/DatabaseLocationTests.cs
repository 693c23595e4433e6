using Microsoft.Extensions.Configuration;
using Rlhf.Data.Database;

namespace Rlhf.Data.Tests;

public class DatabaseLocationTests
{
    private static IConfiguration Config(string? connectionString) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Rlhf"] = connectionString }).Build();

    [Fact]
    public void A_relative_path_is_resolved_against_the_content_root()
    {
        var location = DatabaseLocation.Resolve(Config("Data Source=data/x.db"), "/srv/rlhf");
        Assert.Equal("/srv/rlhf/data/x.db", location.FilePath);
        Assert.Contains("/srv/rlhf/data/x.db", location.ConnectionString);
    }

    [Fact]
    public void Without_a_setting_the_default_is_data_rlhf_db() =>
        Assert.Equal("/srv/rlhf/data/rlhf.db", DatabaseLocation.Resolve(Config(null), "/srv/rlhf").FilePath);

    [Theory]
    [InlineData("Data Sourc=foo;;=")]
    [InlineData("Nonsense Key=1")]
    public void A_malformed_connection_string_is_one_line_naming_the_setting(string bad)
    {
        var ex = Assert.Throws<StartupConfigurationException>(() => DatabaseLocation.Resolve(Config(bad), "/tmp"));
        Assert.StartsWith("Setting ConnectionStrings:Rlhf is malformed", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private static IConfiguration Postgres(string connectionString) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["ConnectionStrings:Rlhf"] = connectionString }).Build();

    [Fact]
    public void On_PostgreSQL_frequent_statements_are_prepared_unless_the_connection_string_says_otherwise()
    {
        var location = DatabaseLocation.Resolve(Postgres("Host=db;Database=rlhf;Username=rlhf"), "/srv/rlhf");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal((DatabaseLocation.AutoPreparedStatements, 2), (builder.MaxAutoPrepare, builder.AutoPrepareMinUsages));
        Assert.Equal(("db", "rlhf"), (builder.Host, builder.Database));

        var off = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseLocation.Resolve(Postgres("Host=db;Database=rlhf;Max Auto Prepare=0"), "/srv").ConnectionString);
        Assert.Equal(0, off.MaxAutoPrepare);
        var own = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseLocation.Resolve(Postgres("Host=db;Database=rlhf;MaxAutoPrepare=10;Auto Prepare Min Usages=7"), "/srv").ConnectionString);
        Assert.Equal((10, 7), (own.MaxAutoPrepare, own.AutoPrepareMinUsages));
    }

    [Fact]
    public void An_in_memory_database_is_refused()
    {
        var ex = Assert.Throws<StartupConfigurationException>(() => DatabaseLocation.Resolve(Config("Data Source=:memory:"), "/tmp"));
        Assert.Contains("ConnectionStrings:Rlhf", ex.Message);
    }

    [Fact]
    public void An_unwritable_folder_is_one_line_naming_the_setting()
    {
        // A regular file where the folder should be: not writable even for root.
        var file = Path.GetTempFileName();
        try
        {
            var location = DatabaseLocation.Resolve(Config($"Data Source={file}/sub/rlhf.db"), "/tmp");
            var ex = Assert.Throws<StartupConfigurationException>(location.EnsureFolderWritable);
            Assert.StartsWith("Setting ConnectionStrings:Rlhf: the database folder", ex.Message);
            Assert.Contains("not writable", ex.Message);
        }
        finally { File.Delete(file); }
    }
}
