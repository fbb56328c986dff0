using Microsoft.Extensions.Configuration;
using MigCompat.Fleet.Service;

namespace MigCompat.Server.Tests.Http;

public sealed class ServerOptionsTests
{
    [Fact]
    public void The_fleet_settings_live_in_one_FleetServiceOptions_that_the_server_options_compose()
    {
        var options = new ServerOptions { Database = "sqlite:a.db", RefreshInterval = TimeSpan.FromSeconds(9), ClaimRetention = TimeSpan.FromHours(36) };

        Assert.Equal(new FleetServiceOptions { Database = "sqlite:a.db", RefreshInterval = TimeSpan.FromSeconds(9), ClaimRetention = TimeSpan.FromHours(36) }, options.Fleet);
        Assert.Equal(new FleetServiceOptions().ExpirySweepInterval, options.ExpirySweepInterval);
        Assert.Equal("sqlite:b.db", (options with { Database = "sqlite:b.db" }).Fleet.Database);
        Assert.Equal(TimeSpan.FromSeconds(9), (options with { Database = "sqlite:b.db" }).Fleet.RefreshInterval);
    }

    [Fact]
    public void The_environment_sets_the_composed_fleet_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MIGCOMPAT_DB"] = "postgres://u:p@127.0.0.1/db" }).Build();

        var options = ServerOptions.FromConfiguration(configuration);

        Assert.Equal("postgres://u:p@127.0.0.1/db", options.Fleet.Database);
        Assert.Equal(FleetServiceOptions.DefaultClaimRetention, options.Fleet.ClaimRetention);
    }
}
