using MigCompat.Fleet.Storage;
using MigCompat.Fleet.Storage.Postgres;
using Npgsql;

namespace MigCompat.Fleet.Tests.Storage;

public sealed class FleetStoreSpecTests
{
    [Theory]
    [InlineData("fleet.db", "fleet.db")]
    [InlineData("/var/lib/migcompat/fleet.db", "/var/lib/migcompat/fleet.db")]
    [InlineData("sqlite:fleet.db", "fleet.db")]
    [InlineData("SQLite:/tmp/a b.db", "/tmp/a b.db")]
    [InlineData("sqlite:///var/lib/fleet.db", "/var/lib/fleet.db")]
    [InlineData("  ./data/fleet.db  ", "./data/fleet.db")]
    public void A_sqlite_spec_or_a_plain_path_names_a_sqlite_file(string db, string path) =>
        Assert.Equal(new FleetStoreSpec(FleetStoreBackend.Sqlite, path), FleetStoreSpec.Parse(db));

    [Theory]
    [InlineData("postgres://fleet:s3cret@db.example:6543/migcompat", "db.example", 6543, "fleet", "s3cret", "migcompat")]
    [InlineData("postgresql://fleet@db.example/migcompat", "db.example", 5432, "fleet", null, "migcompat")]
    [InlineData("postgres://u%40corp:p%3Aw%2Fd@10.0.0.5/fleet%20db", "10.0.0.5", 5432, "u@corp", "p:w/d", "fleet db")]
    [InlineData("Host=db.example;Port=6543;Username=fleet;Password=s3cret;Database=migcompat", "db.example", 6543, "fleet", "s3cret", "migcompat")]
    [InlineData("host=db.example;database=migcompat", "db.example", 5432, null, null, "migcompat")]
    public void A_postgres_uri_or_connection_string_becomes_an_npgsql_connection_string(
        string db, string host, int port, string? user, string? password, string database)
    {
        var spec = FleetStoreSpec.Parse(db);

        Assert.Equal(FleetStoreBackend.Postgres, spec.Backend);
        var builder = new NpgsqlConnectionStringBuilder(spec.Target);
        Assert.Equal((host, port, user, password, database), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
    }

    [Fact]
    public void Uri_query_options_are_carried_over()
    {
        var spec = FleetStoreSpec.Parse("postgres://u:p@h/db?sslmode=require&application_name=migcompat");

        var builder = new NpgsqlConnectionStringBuilder(spec.Target);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal("migcompat", builder.ApplicationName);
    }

    [Theory]
    [InlineData("", "no database was given")]
    [InlineData("   ", "no database was given")]
    [InlineData("sqlite:", "needs a file path")]
    [InlineData("mysql://u:p@h/db", "unsupported database scheme 'mysql://'")]
    [InlineData("postgres:///db", "malformed")]
    [InlineData("postgres://u:p@h/db/extra", "single database name")]
    [InlineData("postgres://u:p@h/db?frobnicate=yes", "'frobnicate=yes' is not understood")]
    [InlineData("Host=h;Bogus Option=1", "malformed")]
    [InlineData("Database=db;Username=u", "no Host=")]
    public void A_bad_spec_is_refused_with_an_error_that_says_what_is_wrong(string db, string expected)
    {
        var error = Assert.Throws<FleetStoreException>(() => FleetStoreSpec.Parse(db));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_shown_to_people_does_not_show_the_password()
    {
        var shown = FleetStoreSpec.Parse("postgres://fleet:s3cret@db.example/migcompat").ToString();

        Assert.DoesNotContain("s3cret", shown, StringComparison.Ordinal);
        Assert.Contains("db.example", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_fails_to_open_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<FleetStoreException>(() => PostgresFleetStore.OpenAsync(
            "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=fleet;Timeout=2", null, TestContext.Current.CancellationToken));

        Assert.Contains("cannot open the fleet database on PostgreSQL 127.0.0.1:1/fleet", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
